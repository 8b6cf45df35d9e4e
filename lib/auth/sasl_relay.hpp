// One SASL exchange relayed to authd, as IMAP AUTHENTICATE (RFC 9051
// 6.2.2, SASL-IR RFC 4959), POP3 AUTH (RFC 5034) and SMTP AUTH (RFC 4954)
// all run it: the server's challenges go out as "<prefix><base64>" ("+ "
// for IMAP and POP3, "334 " for SMTP), each client line is a
// base64 response, "*" cancels, and additional data with success (SCRAM's
// server-final message) goes out as one more challenge that the client
// answers with an empty line. IMAP LOGIN and POP3 USER/PASS run through it
// as PLAIN.
// Client input is paused while authd thinks.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <span>

#include "auth/auth_client.hpp"
#include "net/connection.hpp"

namespace gm::auth {

// The longest client response line: RFC 4954 4 sets 12288 octets for
// SMTP; a SCRAM client-final with channel binding is a few hundred bytes.
inline constexpr size_t kMaxSaslLine = 12288;

struct SaslOutcome {
  enum class Kind { kOk, kFailed, kTemporaryFailure, kCancelled, kBadResponse };
  Kind kind = Kind::kFailed;
  std::string account;  // kOk
};

class SaslRelay {
 public:
  using Done = std::function<void(SaslOutcome)>;

  // challenge_prefix: what precedes a challenge ("+ ", "334 ");
  // line_limit_after: the connection's line limit once the exchange ends.
  SaslRelay(AuthClient& auth, net::Connection& c, std::string_view service,
            std::string_view challenge_prefix, size_t line_limit_after, Done done);
  ~SaslRelay();
  SaslRelay(const SaslRelay&) = delete;
  SaslRelay& operator=(const SaslRelay&) = delete;

  // `initial`: the decoded initial response, if the client sent one.
  void start(std::string mechanism, std::optional<std::string> initial);
  // PLAIN with authzid empty (IMAP LOGIN, POP3 USER/PASS).
  void start_plain(std::string_view user, std::string_view password);
  // A line the client sent while the exchange runs.
  void on_line(std::string_view line);
  bool running() const { return id_ != 0 || awaiting_final_; }
  // Ends the exchange without calling done (the session answers itself).
  void abort();

 private:
  void step(AuthStep step);
  void send_challenge(std::string_view data);
  void finish(SaslOutcome outcome);

  AuthClient& auth_;
  net::Connection& conn_;
  std::string service_;
  std::string challenge_prefix_;
  size_t line_limit_after_;
  Done done_;
  uint32_t id_ = 0;
  bool awaiting_final_ = false;  // server-final sent; the client owes an empty line
  std::string account_;
};

// The mechanism name as authd knows it (upper case), or "" when `name`
// is not among `offered`.
std::string offered_mechanism(std::string_view name, std::span<const std::string> offered);

}  // namespace gm::auth
