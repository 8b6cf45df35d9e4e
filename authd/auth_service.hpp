// What every relay connection shares: the settings from gm.conf, the user
// directory (read for credentials) and the failure throttle, which counts
// across all connections and protocols.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/failure_throttle.hpp"
#include "auth/sasl_server.hpp"
#include "core/config.hpp"
#include "store/user_directory.hpp"

namespace gm::authd {

struct AuthSettings {
  std::vector<std::string> mechanisms;  // auth_mechanisms
  auth::ThrottlePolicy throttle;        // auth_failure_limit, _window, auth_lockout_time
  static AuthSettings from_config(const core::Config& config);
};

// What a mechanism's credential lookup learned, for the throttle and the log.
struct LookupNotes {
  std::string account;             // canonical when valid, else the name as tried
  bool account_throttled = false;  // refused without looking at the secrets
  bool directory_failed = false;   // could not read the directory: a temporary failure
  bool suspended = false;
};

class AuthService {
 public:
  AuthService(AuthSettings settings, store::UserDirectory& directory,
              auth::FailureThrottle::Now now = auth::FailureThrottle::Clock::now);

  void reload(AuthSettings settings);
  const AuthSettings& settings() const { return settings_; }
  auth::FailureThrottle& throttle() { return throttle_; }
  store::UserDirectory& directory() { return directory_; }

  // The credentials of an authentication identity, or nullopt when unknown,
  // throttled or unreadable (notes tell which).
  std::optional<auth::Credentials> lookup(std::string_view authcid, LookupNotes& notes);

 private:
  AuthSettings settings_;
  store::UserDirectory& directory_;
  auth::FailureThrottle throttle_;
};

}  // namespace gm::authd
