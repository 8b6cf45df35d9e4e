#include "mail_context.hpp"

#include <unistd.h>
#include <climits>
#include <cstdlib>

#include "core/log.hpp"
#include "core/privileges.hpp"

namespace gm::maa {
namespace {

std::string resolved(const std::string& path) {
  char buffer[PATH_MAX];
  return ::realpath(path.c_str(), buffer) ? std::string(buffer) : path;
}

}  // namespace

MailContext::MailContext(net::EventLoop& loop_, const core::Config& config)
    : loop(loop_),
      mail_dir(resolved(config.path("mail_dir"))),
      imap_idle_timeout(config.duration("imap_idle_timeout")),
      pop3_idle_timeout(config.duration("pop3_idle_timeout")),
      append_limit(config.size("message_size_limit")),
      folders(loop_) {
  trusted_uids.push_back(::geteuid());
  if (auto account = core::lookup_account(config.string("unprivileged_user")))
    trusted_uids.push_back(account->uid);
  else
    log::warning("unprivileged_user: " + account.error().message);
}

}  // namespace gm::maa
