// One accepted client over a libevent bufferevent (plain socket, or OpenSSL
// from the start or after STARTTLS). It splits input into lines with a
// limit, or hands over raw byte counts; limits the input rate; enforces the
// idle and session timeouts; and calls the protocol's Session.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/config.hpp"
#include "core/result.hpp"
#include "core/unique_fd.hpp"
#include "net/event_loop.hpp"
#include "net/line_splitter.hpp"
#include "net/session.hpp"
#include "net/tls_context.hpp"
#include "net/tls_session.hpp"

struct bufferevent;
struct evbuffer;
struct ev_token_bucket_cfg;

namespace gm::net {

// Output queued beyond this pauses reading until it is written, so a
// client that sends commands but never reads cannot grow our memory.
inline constexpr size_t kMaxPendingOutput = 1 << 20;
// Input read ahead of the protocol; reading stops above this.
inline constexpr size_t kInputHighWatermark = 64 * 1024;
// How long a closing connection may take to write its last reply.
inline constexpr std::chrono::milliseconds kCloseLinger{5000};

struct ConnectionLimits {
  size_t line_length = 8192;                             // line_length_limit
  uint64_t input_rate = 1 << 20;                         // input_rate_limit, bytes/second; 0: none
  std::chrono::milliseconds idle_timeout{300'000};       // 0: none
  std::chrono::milliseconds session_timeout{3'600'000};  // 0: none
  static ConnectionLimits from_config(const core::Config& config);
};

struct ConnectionParams {
  UniqueFd fd;               // connected, nonblocking
  std::string peer_address;  // "192.0.2.1", "2001:db8::1"; "" for a Unix-socket peer
  uint16_t peer_port = 0;
  std::string listener;  // the listener's name
  ConnectionLimits limits;
  std::shared_ptr<TlsContext> tls;  // null: no TLS offered
  bool implicit_tls = false;        // handshake before the greeting (port 465, 993, ...)
  std::shared_ptr<const core::Config> config;
};

// "192.0.2.1" and the port from an accepted peer's address; IPv4-mapped
// IPv6 addresses are shown as IPv4; "" for AF_UNIX.
std::pair<std::string, uint16_t> describe_peer(const sockaddr* address, socklen_t length);

// The uid of the process at the other end of a Unix socket (SO_PEERCRED).
std::optional<uid_t> socket_peer_uid(int fd);

class Connection {
 public:
  // Called once when the connection has closed; the owner destroys the
  // Connection later (never from inside this call).
  using ClosedHook = std::function<void(Connection&)>;

  Connection(EventLoop& loop, ConnectionParams params, std::unique_ptr<Session> session,
             ClosedHook on_closed);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Greets (after the handshake on an implicit-TLS listener), or refuses.
  void start();
  void refuse(Refusal why);

  // Output. Nothing is written until the current callback returns, so a
  // reply and its payload queued together leave in one write.
  void send_line(std::string_view line);  // adds CRLF
  void send(std::string_view bytes);
  void send_reply(std::string_view line, std::string_view payload);
  size_t output_pending() const;
  // For request-reply protocols that send each reply in one call (SMTP,
  // LMTP): a reply leaves at once when the connection is plain text and
  // nothing is queued, instead of after libevent's next write-readiness
  // round (two epoll_ctl calls and a loop pass per reply). What the socket
  // does not take is queued as before. Off by default.
  void set_write_through(bool on) { write_through_ = on; }

  // Input modes: lines (the default), or the next n raw bytes.
  void read_bytes(size_t n);
  // From now on every byte the client sends goes to on_data (never `last`),
  // a partial line already received included: for relaying a stream.
  void read_all_raw();
  // Ends read_bytes() early, from inside on_data: `unused` (the tail of the
  // chunk just handed over, which the protocol did not consume, e.g. the
  // commands pipelined after SMTP's end of data) goes back in front of the
  // input, and lines are read again.
  void end_read_bytes(std::string_view unused);
  // Bytes received and not yet handed to the session (a partial line
  // included): SMTP's check for clients that send ahead without PIPELINING.
  size_t input_pending() const;
  void set_line_limit(size_t max_line) { splitter_.set_max_line(max_line); }
  // Replaces the limits' idle and session timeouts from now on (0: none),
  // e.g. for an IMAP session that may IDLE for 30 minutes after login.
  void set_timeouts(std::chrono::milliseconds idle, std::chrono::milliseconds session);
  // Moves every byte of `source` (a libevent buffer, e.g. a backend's
  // input) to the output without copying.
  void send_buffer(evbuffer* source);
  // The uid of the process at the other end of a Unix-socket connection.
  std::optional<uid_t> peer_uid() const;
  // Stops handing input to the session (e.g. while authd answers).
  void pause_input();
  void resume_input();
  bool input_paused() const { return paused_by_session_; }

  // STARTTLS: call after queueing the "go ahead" reply. Every byte the
  // client sent after the command is discarded (CVE-2011-0411); the reply
  // is written in clear, then the handshake starts, then on_tls_ready().
  Status start_tls();
  bool tls_available() const { return tls_ != nullptr; }
  bool tls_active() const { return tls_established_; }
  std::string tls_version() const;  // "" unless tls_active()
  std::string tls_cipher() const;
  Result<ChannelBinding> channel_binding() const;

  // Ends the session once queued output is written (at most kCloseLinger).
  void close_after_flush();
  // Ends it now, dropping unsent output.
  void close();
  bool closing() const { return state_ == State::kClosing || state_ == State::kClosed; }

  const std::string& session_id() const { return session_id_; }
  const std::string& peer_address() const { return params_.peer_address; }
  uint16_t peer_port() const { return params_.peer_port; }
  const std::string& listener() const { return params_.listener; }
  const core::Config& config() const { return *params_.config; }
  // The loop this connection runs on, for a session's own timers, IPC
  // channels and worker pools.
  EventLoop& loop() const { return loop_; }
  Session& session() { return *session_; }

 private:
  enum class State { kNew, kTlsHandshake, kOpen, kTlsPending, kClosing, kClosed };
  enum class AfterHandshake { kConnect, kRefuse, kTlsReady };
  struct BevDeleter {
    void operator()(bufferevent* bev) const;
  };
  struct BucketDeleter {
    void operator()(ev_token_bucket_cfg* cfg) const;
  };

  static void on_read(bufferevent* bev, void* self);
  static void on_write(bufferevent* bev, void* self);
  static void on_event(bufferevent* bev, short what, void* self);

  bool open_plain();
  void begin_tls(AfterHandshake after);
  void install_callbacks();
  void handshake_done();
  void process_input();
  void on_kick();
  bool can_process() const;
  void output_drained();
  size_t write_now(std::span<const std::string_view> parts);
  void timed_out(Timeout which);
  void close_now(bool graceful);
  void log_tls_failure();
  SSL* ssl() const;

  EventLoop& loop_;
  ConnectionParams params_;
  std::shared_ptr<TlsContext> tls_;
  std::string session_id_;
  std::unique_ptr<Session> session_;
  ClosedHook on_closed_;
  std::unique_ptr<ev_token_bucket_cfg, BucketDeleter> bucket_;  // outlives bev_
  std::unique_ptr<bufferevent, BevDeleter> bev_;
  LineSplitter splitter_;
  State state_ = State::kNew;
  AfterHandshake after_handshake_ = AfterHandshake::kConnect;
  Refusal refusal_ = Refusal::kTooManyConnections;
  size_t raw_remaining_ = 0;
  bool tls_established_ = false;
  bool paused_by_session_ = false;
  bool paused_for_output_ = false;
  bool write_through_ = false;
  Timer idle_timer_;
  Timer session_timer_;
  Timer linger_timer_;
  Timer kick_;  // resumes input processing from the loop, not from a caller's stack
  std::array<char, 4096> scratch_;
};

}  // namespace gm::net
