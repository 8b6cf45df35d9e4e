#include "login_session.hpp"

#include "core/log.hpp"
#include "core/str.hpp"

namespace gm::maa {

std::string_view refusal_text(net::Refusal why) {
  return why == net::Refusal::kTooManyFromAddress ? "Too many connections from your address"
                                                  : "Too many connections, try again later";
}

void LoginSession::with_mechanisms(std::function<void()> then) {
  if (mechanisms_ || !conn_->tls_active()) return then();
  conn_->pause_input();
  bool cb = static_cast<bool>(conn_->channel_binding());
  ctx_.auth.mechanisms(true, cb,
                       [this, alive = std::weak_ptr<bool>(alive_),
                        then = std::move(then)](Result<std::vector<std::string>> mechs) {
                         if (!alive.lock()) return;
                         mechanisms_ = mechs ? std::move(*mechs) : std::vector<std::string>();
                         if (!mechs) log::warning("authd: " + mechs.error().message);
                         conn_->resume_input();
                         then();
                       });
}

std::span<const std::string> LoginSession::mechanisms() const {
  if (!mechanisms_ || !conn_->tls_active()) return {};
  return *mechanisms_;
}

SaslExchange& LoginSession::begin_sasl(SaslExchange::Done done) {
  sasl_ = std::make_unique<SaslExchange>(ctx_.auth, *conn_, mail::protocol_name(protocol_),
                                         std::move(done));
  return *sasl_;
}

void LoginSession::begin_relay(const std::string& account, std::string tag,
                               LoginRelay::Ready ready) {
  relay_ = std::make_unique<LoginRelay>(ctx_, *conn_);
  mail::MaaHandoff handoff;
  handoff.protocol = protocol_;
  handoff.user = account;
  handoff.client = conn_->peer_address();
  handoff.tls = conn_->tls_active() ? str_cat(conn_->tls_version(), "/", conn_->tls_cipher())
                                    : std::string("none");
  handoff.session = conn_->session_id();
  handoff.tag = std::move(tag);
  relay_->prepare(std::move(handoff), std::move(ready));
}

}  // namespace gm::maa
