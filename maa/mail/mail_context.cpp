#include "mail_context.hpp"

#include <unistd.h>
#include <climits>
#include <algorithm>
#include <cstdlib>

#include "core/log.hpp"
#include "core/privileges.hpp"

namespace gm::maa {
namespace {

std::string resolved(const std::string& path) {
  char buffer[PATH_MAX];
  return ::realpath(path.c_str(), buffer) ? std::string(buffer) : path;
}

mail::ImapReaderOptions reader_options(const core::Config& config, uint64_t append_limit) {
  auto count = [&](const char* key) {
    return static_cast<size_t>(std::max<int64_t>(config.integer(key), 0));
  };
  mail::ImapReaderOptions o;
  o.max_literal = append_limit;
  o.max_line = static_cast<size_t>(config.size("imap_max_line_length"));
  o.max_list_depth = count("imap_max_nesting");
  o.max_search_depth = count("imap_max_search_nesting");
  return o.clamped();
}

}  // namespace

MailContext::MailContext(net::EventLoop& loop_, const core::Config& config)
    : loop(loop_),
      mail_dir(resolved(config.path("mail_dir"))),
      imap_idle_timeout(config.duration("imap_idle_timeout")),
      pop3_idle_timeout(config.duration("pop3_idle_timeout")),
      append_limit(config.size("message_size_limit")),
      imap_reader(reader_options(config, append_limit)),
      folders(loop_) {
  trusted_uids.push_back(::geteuid());
  if (auto account = core::lookup_account(config.string("unprivileged_user")))
    trusted_uids.push_back(account->uid);
  else
    log::warning("unprivileged_user: " + account.error().message);
}

}  // namespace gm::maa
