// The daemons' side of authd's SASL relay (auth_protocol.hpp): asks which
// mechanisms to offer and relays one exchange's messages per client, over
// one IpcChannel to auth_socket shared by all sessions of the process.
// Connects on first use and again after authd went away (a restart); when
// authd cannot be reached, every pending and new request gets a temporary
// failure, which SMTP answers "454 4.7.0" (RFC 4954 6). authd counts as
// unreachable too when a request waits longer than `timeout` for its reply:
// gm-master holds the listening socket while authd is down, so a connect
// succeeds and only the silence tells.
// Callbacks run on the loop, never from inside the call that made the
// request; cancel() an id before its owner goes away.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "net/event_loop.hpp"
#include "net/ipc.hpp"

namespace gm::auth {

// How long a request may wait for authd's reply (not for the client's).
inline constexpr std::chrono::milliseconds kAuthReplyTimeout{10'000};

struct AuthStep {
  enum class Kind { kContinue, kOk, kFail, kTemporaryFailure };
  Kind kind = Kind::kTemporaryFailure;
  std::string data;       // kContinue: the challenge; kOk: additional data (may be empty)
  bool has_data = false;  // kOk: authd sent additional data (SCRAM server-final)
  std::string account;    // kOk
  std::string reason;     // kFail / kTemporaryFailure: public text
};

struct AuthStart {
  std::string mechanism;
  std::string service;    // "smtp"
  std::string remote_ip;  // the client's address; empty for a local client
  bool secured = false;   // TLS is active
  std::string cb_type;    // empty: no channel binding
  std::string cb_data;
  std::optional<std::string> initial_response;  // decoded bytes
};

class AuthClient {
 public:
  using MechsDone = std::function<void(Result<std::vector<std::string>>)>;
  using StepDone = std::function<void(AuthStep)>;

  AuthClient(net::EventLoop& loop, std::string socket_path,
             std::chrono::milliseconds timeout = kAuthReplyTimeout);
  ~AuthClient();
  AuthClient(const AuthClient&) = delete;
  AuthClient& operator=(const AuthClient&) = delete;

  // The mechanisms authd offers on such a connection. Returns the request
  // id for cancel().
  uint32_t mechanisms(bool secured, bool channel_binding, MechsDone done);
  // Starts an exchange; `done` is called for every step until kOk, kFail
  // or kTemporaryFailure. Returns the id for respond() / abort().
  uint32_t start(AuthStart request, StepDone done);
  void respond(uint32_t id, std::string response);
  // Tells authd the client gave up ("*", RFC 4954 4); no more callbacks.
  void abort(uint32_t id);
  // Forgets a request without telling authd (its owner is going away).
  void cancel(uint32_t id);

 private:
  struct Pending {
    MechsDone mechs;
    StepDone step;
    // Set while authd owes a reply; unset while the client owes a response.
    std::optional<std::chrono::steady_clock::time_point> deadline;
  };
  uint32_t next_id();
  bool ensure_connected();
  bool send(uint32_t id, const std::string& line);
  void on_line(std::string_view line);
  void on_closed(const Error& why);
  void fail_later(uint32_t id, std::string reason);
  void deliver_failures();
  void fail(uint32_t id, const std::string& reason);
  void awaiting_authd(uint32_t id);
  void expire();

  net::EventLoop& loop_;
  std::string socket_path_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<net::IpcChannel> channel_;
  std::map<uint32_t, Pending> pending_;
  std::map<uint32_t, std::string> failed_;  // to be told on the next loop round
  net::Timer failure_timer_;
  net::Timer expiry_timer_;  // ticks while authd owes a reply
  uint32_t last_id_ = 0;
};

}  // namespace gm::auth
