#include "auth_service.hpp"

#include "core/log.hpp"
#include "core/str.hpp"
#include "store/address.hpp"

namespace gm::authd {
namespace {

constexpr size_t kMaxLoggedAccount = 320;

void add_secret(auth::Credentials& credentials, const std::string& text) {
  if (text.empty()) return;
  Result<auth::ScramSecret> secret = auth::decode_scram_secret(text);
  if (!secret) {
    log::warning(str_cat("user ", credentials.account,
                         ": unusable stored secret: ", secret.error().message));
    return;
  }
  credentials.secrets.push_back(std::move(*secret));
}

}  // namespace

AuthSettings AuthSettings::from_config(const core::Config& config) {
  AuthSettings settings;
  settings.mechanisms = config.list("auth_mechanisms");
  int64_t limit = config.integer("auth_failure_limit");
  settings.throttle.failure_limit = limit > 0 ? static_cast<size_t>(limit) : 0;
  settings.throttle.window = config.duration("auth_failure_window");
  settings.throttle.lockout = config.duration("auth_lockout_time");
  return settings;
}

AuthService::AuthService(AuthSettings settings, store::UserDirectory& directory,
                         auth::FailureThrottle::Now now)
    : settings_(std::move(settings)),
      directory_(directory),
      throttle_(settings_.throttle, std::move(now)) {}

void AuthService::reload(AuthSettings settings) {
  settings_ = std::move(settings);
  throttle_.set_policy(settings_.throttle);
}

std::optional<auth::Credentials> AuthService::lookup(std::string_view authcid, LookupNotes& notes) {
  Result<std::string> address = store::canonical_address(authcid);
  if (!address) {
    notes.account = to_lower(authcid.substr(0, kMaxLoggedAccount));
    return std::nullopt;
  }
  notes.account = *address;
  if (throttle_.account_throttled(notes.account)) {
    notes.account_throttled = true;
    return std::nullopt;
  }
  // Blocks on the disk at worst briefly: Berkeley DB reads of a small
  // directory come from its cache.
  auto user = directory_.get_user(*address);
  if (!user) {
    log::error(str_cat("user directory: ", user.error().message));
    notes.directory_failed = true;
    return std::nullopt;
  }
  if (!user->has_value()) return std::nullopt;
  const store::UserRecord& record = **user;
  auth::Credentials credentials;
  credentials.account = record.address;
  credentials.active = record.status == store::UserStatus::kActive;
  notes.suspended = !credentials.active;
  add_secret(credentials, record.scram_sha256);
  add_secret(credentials, record.scram_sha1);
  return credentials;
}

}  // namespace gm::authd
