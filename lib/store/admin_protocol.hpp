// authd's admin protocol (authd(8), ADMIN PROTOCOL), spoken by gmctl over
// auth_admin_socket. One request per line, fields separated by TAB:
//   USER-ADD <TAB> address <TAB> scram-sha-1 <TAB> scram-sha-256 <TAB> quota [<TAB> mailbox]
// Replies: "OK", or "ERR <TAB> text"; commands that return data answer "OK"
// followed by one line per row (columns TAB-separated, a leading "." doubled)
// and a line holding only ".". The same request runs against a directory
// opened directly (gmctl while authd is down) through apply_admin_request().
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace gm::store {

inline constexpr size_t kMaxAdminLineLength = 16 * 1024;
inline constexpr size_t kMaxAdminFields = 1002;

enum class AdminCommand {
  kUserAdd,
  kUserPasswd,
  kUserSuspend,
  kUserUnsuspend,
  kUserDelete,
  kUserList,
  kUserShow,
  kDomainAdd,
  kDomainDelete,
  kDomainList,
  kAliasAdd,
  kAliasDelete,
  kAliasList,
};

struct AdminCommandSpec {
  AdminCommand command;
  std::string_view name;
  size_t min_args;
  size_t max_args;
  bool has_data;                              // the reply carries rows and a "." line
  std::string_view arguments;                 // for error messages and the manual
  std::span<const std::string_view> columns;  // names of the data columns
};

std::span<const AdminCommandSpec> admin_commands();
const AdminCommandSpec& admin_command_spec(AdminCommand command);

struct AdminRequest {
  AdminCommand command = AdminCommand::kDomainList;
  std::vector<std::string> args;
};

struct AdminReply {
  bool ok = true;
  std::string error;                           // when !ok
  std::vector<std::vector<std::string>> rows;  // for data commands
};

AdminReply admin_error(std::string text);

// A line without its "\n". Fields may not hold control characters.
Result<AdminRequest> parse_admin_request(std::string_view line);
std::string encode_admin_request(const AdminRequest& request);
std::string encode_admin_reply(const AdminRequest& request, const AdminReply& reply);

// Collects a reply line by line (lines without "\n"); done() once complete.
class AdminReplyReader {
 public:
  explicit AdminReplyReader(AdminCommand command) : command_(command) {}
  Status feed(std::string_view line);
  bool done() const { return done_; }
  AdminReply& reply() { return reply_; }

 private:
  AdminCommand command_;
  AdminReply reply_;
  bool started_ = false;
  bool done_ = false;
};

}  // namespace gm::store
