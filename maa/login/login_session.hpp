// What IMAP and POP3 login sessions share: the connection, the mechanisms
// authd offers on it, the SASL exchange and, after a login, the relay to
// maa-mail. Each protocol's session derives from it and keeps its own
// state enum and command table.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "login_context.hpp"
#include "login_relay.hpp"
#include "mail/maa_handoff.hpp"
#include "net/connection.hpp"
#include "net/session.hpp"
#include "sasl_exchange.hpp"

namespace gm::maa {

// Invalid commands before login after which the session is closed.
inline constexpr int kMaxBadCommands = 10;

// The text of a refusal before the greeting (too many connections).
std::string_view refusal_text(net::Refusal why);

class LoginSession : public net::Session {
 protected:
  LoginSession(LoginContext& ctx, mail::AccessProtocol protocol) : ctx_(ctx), protocol_(protocol) {}

  // Runs `then` once the mechanisms for this connection are known (asks
  // authd once per TLS state; none are offered before TLS).
  void with_mechanisms(std::function<void()> then);
  std::span<const std::string> mechanisms() const;
  void forget_mechanisms() { mechanisms_.reset(); }

  // A new exchange; `done` runs inside it, so it must not destroy it.
  SaslExchange& begin_sasl(SaslExchange::Done done);
  SaslExchange& sasl() { return *sasl_; }
  // Looks up the account and connects to maa-mail; `tag` is the IMAP tag.
  void begin_relay(const std::string& account, std::string tag, LoginRelay::Ready ready);
  // Relaying: every client byte goes to maa-mail.
  bool relaying() const { return relay_ && relay_->relaying(); }
  void start_relay(std::chrono::milliseconds idle) { relay_->start(idle); }
  void relay_from_client(std::string_view chunk) { relay_->from_client(chunk); }
  void on_drain(net::Connection&) override {
    if (relay_) relay_->client_drained();
  }

  LoginContext& ctx_;
  net::Connection* conn_ = nullptr;

 private:
  mail::AccessProtocol protocol_;
  std::optional<std::vector<std::string>> mechanisms_;
  std::unique_ptr<SaslExchange> sasl_;
  std::unique_ptr<LoginRelay> relay_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace gm::maa
