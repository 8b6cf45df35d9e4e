// What every login session of the maa process shares: the authd clients,
// the per-user session count and the settings read at start.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "auth/auth_client.hpp"
#include "auth/directory_client.hpp"
#include "core/config.hpp"
#include "net/event_loop.hpp"
#include "user_sessions.hpp"

namespace gm::maa {

struct LoginContext {
  LoginContext(net::EventLoop& loop, const core::Config& config);

  auth::AuthClient auth;
  auth::DirectoryClient directory;
  UserSessions sessions;
  std::string mail_dir;                     // mail_dir: users' mailboxes are relative to it
  std::string mail_socket;                  // maa_mail_socket
  std::chrono::milliseconds login_timeout;  // maa_login_timeout
  std::chrono::milliseconds idle_timeout;   // idle_timeout, before login
  std::chrono::milliseconds imap_idle_timeout;
  std::chrono::milliseconds pop3_idle_timeout;
  uint64_t append_limit;  // message_size_limit: APPENDLIMIT in the CAPABILITY after login
};

}  // namespace gm::maa
