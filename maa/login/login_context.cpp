#include "login_context.hpp"

#include <algorithm>

namespace gm::maa {

LoginContext::LoginContext(net::EventLoop& loop, const core::Config& config)
    : auth(loop, config.path("auth_socket")),
      directory(loop, config.path("auth_socket")),
      sessions(
          static_cast<size_t>(std::max<int64_t>(config.integer("maa_max_sessions_per_user"), 0))),
      mail_dir(config.path("mail_dir")),
      mail_socket(config.path("maa_mail_socket")),
      login_timeout(config.duration("maa_login_timeout")),
      idle_timeout(config.duration("idle_timeout")),
      imap_idle_timeout(config.duration("imap_idle_timeout")),
      pop3_idle_timeout(config.duration("pop3_idle_timeout")),
      append_limit(config.size("message_size_limit")) {}

}  // namespace gm::maa
