// What a protocol implements: one Session per client connection. The
// Connection calls these from the event loop, one at a time; a session
// keeps its protocol state in an explicit enum and answers through the
// Connection it is handed (send_line, read_bytes, start_tls, close_...).
#pragma once

#include <functional>
#include <memory>
#include <string_view>

namespace gm::net {

class Connection;

enum class Timeout { kIdle, kSession };
enum class Refusal { kTooManyConnections, kTooManyFromAddress };

class Session {
 public:
  virtual ~Session() = default;

  // The client is connected (on an implicit-TLS listener: TLS is up).
  // Send the greeting.
  virtual void on_connect(Connection& c) = 0;
  // One command line without its CRLF / LF, at most the line limit long.
  virtual void on_line(Connection& c, std::string_view line) = 0;
  // The client sent a line over the limit. Reply with the protocol's error
  // (or close); the rest of that line is discarded and reading goes on.
  virtual void on_line_too_long(Connection& c) = 0;
  // Raw bytes asked for with Connection::read_bytes(n); `last` is true on
  // the chunk that completes n, after which lines are read again.
  virtual void on_data(Connection& c, std::string_view chunk, bool last);
  // The STARTTLS handshake finished. Forget everything learnt before it
  // (RFC 3207 4.2, RFC 2595 3.1) and wait for the client's next command.
  virtual void on_tls_ready(Connection& c) { (void)c; }
  // Everything queued has been written (for streaming large payloads in
  // bounded pieces).
  virtual void on_drain(Connection& c) { (void)c; }
  // The idle or session timeout struck: send e.g. "421 timeout". The
  // connection closes once that is written.
  virtual void on_timeout(Connection& c, Timeout which) = 0;
  // Too many connections: send e.g. "421 too many connections" instead of
  // a greeting. The connection closes once that is written.
  virtual void on_refused(Connection& c, Refusal why) = 0;
  // The last call; the connection is closed and cannot send anything.
  virtual void on_close(Connection& c) { (void)c; }
};

// Makes the session for a new connection on the named listener (the
// LISTEN_FDNAMES name, e.g. "submission" or "submissions").
using SessionFactory = std::function<std::unique_ptr<Session>(std::string_view listener)>;

}  // namespace gm::net
