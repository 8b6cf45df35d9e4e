// One SASL exchange relayed to authd, as IMAP AUTHENTICATE (RFC 9051
// 6.2.2, SASL-IR RFC 4959) and POP3 AUTH (RFC 5034) both run it: the
// server's challenges go out as "+ <base64>", each client line is a
// base64 response, "*" cancels, and additional data with success (SCRAM's
// server-final message) goes out as one more challenge that the client
// answers with an empty line. LOGIN and USER/PASS run through it as PLAIN.
// Client input is paused while authd thinks.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "auth/auth_client.hpp"
#include "net/connection.hpp"

namespace gm::maa {

// The longest client response line: a SCRAM client-final with channel
// binding is a few hundred bytes; PLAIN with a long password fits too.
inline constexpr size_t kMaxSaslLine = 8192;

struct SaslOutcome {
  enum class Kind { kOk, kFailed, kTemporaryFailure, kCancelled, kBadResponse };
  Kind kind = Kind::kFailed;
  std::string account;  // kOk
};

class SaslExchange {
 public:
  using Done = std::function<void(SaslOutcome)>;

  SaslExchange(auth::AuthClient& auth, net::Connection& c, std::string_view service, Done done);
  ~SaslExchange();
  SaslExchange(const SaslExchange&) = delete;
  SaslExchange& operator=(const SaslExchange&) = delete;

  // `initial`: the decoded initial response, if the client sent one.
  void start(std::string mechanism, std::optional<std::string> initial);
  // PLAIN with authzid empty (IMAP LOGIN, POP3 USER/PASS).
  void start_plain(std::string_view user, std::string_view password);
  // A line the client sent while the exchange runs.
  void on_line(std::string_view line);
  bool running() const { return id_ != 0 || awaiting_final_; }

 private:
  void step(auth::AuthStep step);
  void finish(SaslOutcome outcome);

  auth::AuthClient& auth_;
  net::Connection& conn_;
  std::string service_;
  Done done_;
  uint32_t id_ = 0;
  bool awaiting_final_ = false;  // server-final sent; the client owes an empty line
  std::string account_;
};

// The mechanism name as authd knows it (upper case), or "" when `name`
// is not among `offered`.
std::string offered_mechanism(std::string_view name, std::span<const std::string> offered);

}  // namespace gm::maa
