#include "auth/plain_server.hpp"

#include "auth/password_check.hpp"
#include "auth/saslprep.hpp"
#include "core/str.hpp"

namespace gm::auth {
namespace {

SaslStep failure(std::string reason, std::string account = {}) {
  return SaslStep{SaslStep::Kind::kFailure, {}, std::move(account), std::move(reason)};
}

SaslStep challenge(std::string text) {
  return SaslStep{SaslStep::Kind::kChallenge, std::move(text), {}, {}};
}

// RFC 4616 section 2: message = [authzid] UTF8NUL authcid UTF8NUL passwd.
class PlainServer final : public SaslServer {
 public:
  explicit PlainServer(CredentialLookup lookup) : lookup_(std::move(lookup)) {}

  SaslStep step(std::string_view message) override {
    switch (state_) {
      case State::kStart:
        if (message.empty()) {
          state_ = State::kAwaitResponse;
          return challenge({});
        }
        [[fallthrough]];
      case State::kAwaitResponse:
        state_ = State::kDone;
        return check(message);
      case State::kDone:
        break;
    }
    return failure("message after the exchange ended");
  }

 private:
  enum class State { kStart, kAwaitResponse, kDone };

  SaslStep check(std::string_view message) const {
    if (message.size() > kMaxPlainMessage) return failure("PLAIN message too long");
    size_t nul1 = message.find('\0');
    size_t nul2 = nul1 == std::string_view::npos ? nul1 : message.find('\0', nul1 + 1);
    if (nul2 == std::string_view::npos || message.find('\0', nul2 + 1) != std::string_view::npos)
      return failure("malformed PLAIN message");
    std::string_view authzid = message.substr(0, nul1);
    std::string_view authcid = message.substr(nul1 + 1, nul2 - nul1 - 1);
    Secret password{std::string(message.substr(nul2 + 1))};
    if (authcid.empty() || password.empty()) return failure("malformed PLAIN message");
    if (!authzid.empty()) {
      auto a = saslprep(authzid, SaslprepKind::kQuery);
      auto c = saslprep(authcid, SaslprepKind::kQuery);
      if (!a || !c || *a != *c)
        return failure("authorization identity differs from authentication identity",
                       printable(authcid, 255));
    }
    return check_password(lookup_, authcid, password);
  }

  const CredentialLookup lookup_;
  State state_ = State::kStart;
};

// The LOGIN draft: the server prompts "Username:" then "Password:"; many
// clients send the user name as an initial response.
class LoginServer final : public SaslServer {
 public:
  explicit LoginServer(CredentialLookup lookup) : lookup_(std::move(lookup)) {}

  SaslStep step(std::string_view message) override {
    switch (state_) {
      case State::kStart:
        if (message.empty()) {
          state_ = State::kAwaitUser;
          return challenge("Username:");
        }
        [[fallthrough]];
      case State::kAwaitUser:
        if (message.empty() || message.size() > kMaxLoginField)
          return done(failure("bad LOGIN user name"));
        user_ = std::string(message);
        state_ = State::kAwaitPassword;
        return challenge("Password:");
      case State::kAwaitPassword:
        if (message.empty() || message.size() > kMaxLoginField)
          return done(failure("bad LOGIN password", printable(user_, 255)));
        return done(check_password(lookup_, user_, Secret(std::string(message))));
      case State::kDone:
        break;
    }
    return failure("message after the exchange ended");
  }

 private:
  enum class State { kStart, kAwaitUser, kAwaitPassword, kDone };

  SaslStep done(SaslStep step) {
    state_ = State::kDone;
    return step;
  }

  const CredentialLookup lookup_;
  State state_ = State::kStart;
  std::string user_;
};

}  // namespace

std::unique_ptr<SaslServer> make_plain_server(CredentialLookup lookup) {
  if (!lookup) return nullptr;
  return std::make_unique<PlainServer>(std::move(lookup));
}

std::unique_ptr<SaslServer> make_login_server(CredentialLookup lookup) {
  if (!lookup) return nullptr;
  return std::make_unique<LoginServer>(std::move(lookup));
}

}  // namespace gm::auth
