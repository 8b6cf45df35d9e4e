#include "admin_session.hpp"

#include <ctime>

#include "auth/directory_admin.hpp"
#include "core/log.hpp"
#include "core/str.hpp"

namespace gm::authd {

std::string AdminSession::on_line(std::string_view line) {
  Result<store::AdminRequest> request = store::parse_admin_request(line);
  if (!request) return store::encode_admin_reply({}, store::admin_error(request.error().message));
  // Writes commit durably before the reply: they may block on the disk
  // briefly, which admin traffic (rare, one administrator) can afford.
  store::AdminReply reply = auth::apply_admin_request(directory_, *request, std::time(nullptr));
  const store::AdminCommandSpec& spec = store::admin_command_spec(request->command);
  if (!spec.has_data) {
    std::string subject = request->args.empty() ? "" : str_cat(" ", request->args.front());
    log::notice(str_cat("admin ", spec.name, subject, ": ",
                        reply.ok ? "done" : str_cat("refused: ", reply.error)));
  }
  return store::encode_admin_reply(*request, reply);
}

std::string AdminSession::on_line_too_long() {
  return store::encode_admin_reply({}, store::admin_error("line too long"));
}

}  // namespace gm::authd
