// What follows a successful login, for IMAP and POP3 alike: look up the
// account's mailbox through authd, take a per-user session slot, connect
// to maa-mail ($maa_mail_socket), and once the protocol has answered the
// client, send the handoff line (mail/maa_handoff.hpp) and relay bytes
// both ways until either side closes.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "login_context.hpp"
#include "mail/maa_handoff.hpp"
#include "net/connection.hpp"
#include "net/stream_proxy.hpp"
#include "user_sessions.hpp"

namespace gm::maa {

// The login side's idle timeout while relaying is the protocol's plus this,
// so maa-mail, which knows the protocol state, times out first and says why.
inline constexpr std::chrono::milliseconds kRelayTimeoutMargin{60'000};

enum class RelayFailure { kTooManySessions, kUnavailable };

class LoginRelay {
 public:
  // Ready: nullopt when maa-mail is connected and the relay can start.
  using Ready = std::function<void(std::optional<RelayFailure>)>;

  LoginRelay(LoginContext& ctx, net::Connection& c) : ctx_(ctx), conn_(c) {}

  // `handoff` has everything but the maildir. Client input stays paused
  // until start() (or until the protocol resumes it after a failure).
  void prepare(mail::MaaHandoff handoff, Ready ready);
  // Sends the handoff and relays from now on, with the protocol's idle
  // timeout and no session timeout (a mail client may stay for days).
  void start(std::chrono::milliseconds idle_timeout);

  bool relaying() const { return proxy_ != nullptr; }
  void from_client(std::string_view chunk) { proxy_->from_client(chunk); }
  void client_drained() {
    if (proxy_) proxy_->client_drained();
  }

 private:
  void looked_up(Result<auth::DirectoryEntry> entry);

  LoginContext& ctx_;
  net::Connection& conn_;
  mail::MaaHandoff handoff_;
  Ready ready_;
  UserSessions::Slot slot_;
  UniqueFd backend_;
  std::unique_ptr<net::StreamProxy> proxy_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace gm::maa
