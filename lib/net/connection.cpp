#include "net/connection.hpp"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <array>
#include <limits>

#include "core/log.hpp"
#include "core/str.hpp"

namespace gm::net {

using std::chrono::milliseconds;

namespace {

// A Unix-socket peer is a local daemon (maa-mail behind maa) whose client
// connection was rate-limited already: it is exempt from input_rate_limit.
bool is_unix_socket(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return false;
  return address.ss_family == AF_UNIX;
}

}  // namespace

void Connection::BevDeleter::operator()(bufferevent* bev) const {
  bufferevent_free(bev);
}
void Connection::BucketDeleter::operator()(ev_token_bucket_cfg* cfg) const {
  ev_token_bucket_cfg_free(cfg);
}

ConnectionLimits ConnectionLimits::from_config(const core::Config& config) {
  ConnectionLimits limits;
  limits.line_length = config.size("line_length_limit");
  limits.input_rate = config.size("input_rate_limit");
  limits.idle_timeout = config.duration("idle_timeout");
  limits.session_timeout = config.duration("session_timeout");
  return limits;
}

std::pair<std::string, uint16_t> describe_peer(const sockaddr* address, socklen_t length) {
  char text[INET6_ADDRSTRLEN] = "";
  if (address->sa_family == AF_INET && length >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    auto* in = reinterpret_cast<const sockaddr_in*>(address);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    return {text, ntohs(in->sin_port)};
  }
  if (address->sa_family == AF_INET6 && length >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
      inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], text, sizeof text);
    else
      inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
    return {text, ntohs(in6->sin6_port)};
  }
  return {"", 0};
}

Connection::Connection(EventLoop& loop, ConnectionParams params, std::unique_ptr<Session> session,
                       ClosedHook on_closed)
    : loop_(loop),
      params_(std::move(params)),
      tls_(params_.tls),
      session_id_(log::new_session_id()),
      session_(std::move(session)),
      on_closed_(std::move(on_closed)),
      splitter_(params_.limits.line_length),
      idle_timer_(loop, [this] { timed_out(Timeout::kIdle); }),
      session_timer_(loop, [this] { timed_out(Timeout::kSession); }),
      linger_timer_(loop, [this] { close_now(false); }),
      kick_(loop, [this] { on_kick(); }) {
  if (params_.limits.input_rate > 0 && !is_unix_socket(params_.fd.get())) {
    // Burst of one second's worth; libevent refills once per second.
    auto rate =
        static_cast<size_t>(std::min<uint64_t>(params_.limits.input_rate, EV_RATE_LIMIT_MAX));
    bucket_.reset(
        ev_token_bucket_cfg_new(rate, rate, EV_RATE_LIMIT_MAX, EV_RATE_LIMIT_MAX, nullptr));
  }
  int one = 1;  // STYLE.md: no self-inflicted latency (fails harmlessly on Unix sockets)
  (void)setsockopt(params_.fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

Connection::~Connection() {
  if (state_ != State::kClosed) {
    on_closed_ = nullptr;
    close_now(false);
  }
  session_->on_close(*this);
}

void Connection::start() {
  log::write(log::Level::kInfo, session_id_,
             str_cat("connect from [", params_.peer_address, "]:", params_.peer_port, " to ",
                     params_.listener));
  if (params_.limits.session_timeout.count() > 0)
    session_timer_.start(params_.limits.session_timeout);
  if (params_.limits.idle_timeout.count() > 0) idle_timer_.start(params_.limits.idle_timeout);
  if (params_.implicit_tls) return begin_tls(AfterHandshake::kConnect);
  if (!open_plain()) return;
  session_->on_connect(*this);
  process_input();
}

void Connection::refuse(Refusal why) {
  log::write(log::Level::kNotice, session_id_,
             str_cat("refused [", params_.peer_address, "]: ",
                     why == Refusal::kTooManyConnections ? "too many connections"
                                                         : "too many connections from address"));
  refusal_ = why;
  if (params_.limits.idle_timeout.count() > 0) idle_timer_.start(params_.limits.idle_timeout);
  if (params_.implicit_tls) return begin_tls(AfterHandshake::kRefuse);
  if (!open_plain()) return;
  session_->on_refused(*this, why);
  close_after_flush();
}

bool Connection::open_plain() {
  bev_.reset(bufferevent_socket_new(loop_.base(), params_.fd.get(), 0));
  if (!bev_) {
    log::write(log::Level::kError, session_id_, "cannot create a bufferevent");
    close_now(false);
    return false;
  }
  state_ = State::kOpen;
  install_callbacks();
  return true;
}

void Connection::begin_tls(AfterHandshake after) {
  SSL* ssl = SSL_new(tls_->get());
  if (ssl == nullptr) {
    log::write(log::Level::kError, session_id_, "SSL_new: " + openssl_errors());
    return close_now(false);
  }
  bev_.reset();  // the plain one, if any; it does not own the fd
  bev_.reset(bufferevent_openssl_socket_new(loop_.base(), params_.fd.get(), ssl,
                                            BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE));
  if (!bev_) {
    log::write(log::Level::kError, session_id_, "cannot create a TLS bufferevent");
    return close_now(false);
  }
  (void)params_.fd.release();  // closed with bev_ from now on
  bufferevent_openssl_set_allow_dirty_shutdown(bev_.get(), 1);
  state_ = State::kTlsHandshake;
  after_handshake_ = after;
  install_callbacks();
}

void Connection::install_callbacks() {
  bufferevent* bev = bev_.get();
  bufferevent_setcb(bev, &Connection::on_read, &Connection::on_write, &Connection::on_event, this);
  bufferevent_setwatermark(bev, EV_READ, 0, kInputHighWatermark);
  if (bucket_) bufferevent_set_rate_limit(bev, bucket_.get());
  bufferevent_enable(bev, EV_READ | EV_WRITE);
}

void Connection::on_read(bufferevent*, void* self) {
  auto* c = static_cast<Connection*>(self);
  if (c->params_.limits.idle_timeout.count() > 0)
    c->idle_timer_.start(c->params_.limits.idle_timeout);
  c->process_input();
}

void Connection::on_write(bufferevent*, void* self) {
  static_cast<Connection*>(self)->output_drained();
}

void Connection::on_event(bufferevent*, short what, void* self) {
  auto* c = static_cast<Connection*>(self);
  if (what & BEV_EVENT_CONNECTED) return c->handshake_done();
  // A client that half-closes after QUIT still gets its reply.
  if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR) && c->state_ == State::kClosing) {
    bufferevent_disable(c->bev_.get(), EV_READ);
    return;
  }
  if (c->state_ == State::kTlsHandshake)
    c->log_tls_failure();
  else if (what & BEV_EVENT_ERROR)
    log::write(log::Level::kInfo, c->session_id_, "connection error");
  c->close_now(false);
}

void Connection::handshake_done() {
  tls_established_ = true;
  state_ = State::kOpen;
  log::write(log::Level::kInfo, session_id_, str_cat("TLS ", tls_version(), " ", tls_cipher()));
  switch (after_handshake_) {
    case AfterHandshake::kConnect:
      session_->on_connect(*this);
      break;
    case AfterHandshake::kTlsReady:
      session_->on_tls_ready(*this);
      break;
    case AfterHandshake::kRefuse:
      session_->on_refused(*this, refusal_);
      close_after_flush();
      break;
  }
  process_input();
}

void Connection::log_tls_failure() {
  std::string reasons;
  while (unsigned long code = bufferevent_get_openssl_error(bev_.get())) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    if (!reasons.empty()) reasons += "; ";
    reasons += buf;
  }
  log::write(log::Level::kNotice, session_id_,
             str_cat("TLS handshake failed", reasons.empty() ? "" : ": ", reasons));
}

bool Connection::can_process() const {
  return state_ == State::kOpen && !paused_by_session_ && !paused_for_output_;
}

// Hands buffered input to the session one line (or raw chunk) at a time,
// re-checking the state after each call: the session may have closed,
// paused, switched to raw bytes or started TLS.
void Connection::process_input() {
  while (can_process()) {
    if (output_pending() > kMaxPendingOutput) {
      paused_for_output_ = true;
      bufferevent_disable(bev_.get(), EV_READ);
      return;
    }
    evbuffer* in = bufferevent_get_input(bev_.get());
    size_t want = std::min(evbuffer_get_length(in), scratch_.size());
    if (raw_remaining_ > 0) want = std::min(want, raw_remaining_);
    if (want == 0) return;
    ev_ssize_t got = evbuffer_copyout(in, scratch_.data(), want);
    if (got <= 0) return;
    std::string_view chunk(scratch_.data(), static_cast<size_t>(got));
    if (raw_remaining_ > 0) {
      evbuffer_drain(in, chunk.size());
      raw_remaining_ -= chunk.size();
      session_->on_data(*this, chunk, raw_remaining_ == 0);
      continue;
    }
    LineEvent event = splitter_.feed(chunk);
    evbuffer_drain(in, event.consumed);
    if (event.kind == LineEvent::Kind::kLine)
      session_->on_line(*this, event.line);
    else if (event.kind == LineEvent::Kind::kTooLong)
      session_->on_line_too_long(*this);
  }
}

void Connection::on_kick() {
  if (state_ == State::kTlsPending) {
    if (output_pending() == 0) begin_tls(AfterHandshake::kTlsReady);
    return;
  }
  process_input();
}

void Connection::output_drained() {
  // libevent may report a drain that happened before the last send().
  if (output_pending() > 0) return;
  if (params_.limits.idle_timeout.count() > 0 && state_ == State::kOpen)
    idle_timer_.start(params_.limits.idle_timeout);
  switch (state_) {
    case State::kTlsPending:
      return begin_tls(AfterHandshake::kTlsReady);
    case State::kClosing:
      return close_now(true);
    case State::kOpen:
      break;
    default:
      return;
  }
  if (paused_for_output_) {
    paused_for_output_ = false;
    bufferevent_enable(bev_.get(), EV_READ);
    kick_.start(milliseconds(0));
  }
  session_->on_drain(*this);
}

// set_write_through: the bytes of `parts` the socket took at once (0 when
// the order or TLS forbids writing now); the caller queues the rest.
size_t Connection::write_now(std::span<const std::string_view> parts) {
  if (!write_through_ || state_ != State::kOpen || tls_established_ || !bev_ ||
      evbuffer_get_length(bufferevent_get_output(bev_.get())) > 0)
    return 0;
  std::array<iovec, 3> iov{};
  size_t count = 0;
  for (std::string_view part : parts)
    if (!part.empty() && count < iov.size())
      iov[count++] = {const_cast<char*>(part.data()), part.size()};
  msghdr message{};
  message.msg_iov = iov.data();
  message.msg_iovlen = count;
  ssize_t n = ::sendmsg(static_cast<int>(bufferevent_getfd(bev_.get())), &message,
                        MSG_DONTWAIT | MSG_NOSIGNAL);
  return n > 0 ? static_cast<size_t>(n) : 0;  // errors: libevent meets them on its own write
}

void Connection::send(std::string_view bytes) {
  if (state_ != State::kOpen && state_ != State::kClosing) return;  // too late, or mid-STARTTLS
  bytes.remove_prefix(write_now({&bytes, 1}));
  if (!bytes.empty()) evbuffer_add(bufferevent_get_output(bev_.get()), bytes.data(), bytes.size());
}

void Connection::send_line(std::string_view line) {
  send_reply(line, {});
}

void Connection::send_reply(std::string_view line, std::string_view payload) {
  if (state_ != State::kOpen && state_ != State::kClosing) return;
  const std::array<std::string_view, 3> parts{line, "\r\n", payload};
  size_t written = write_now(parts);
  size_t left = line.size() + 2 + payload.size() - written;
  if (left == 0) return;
  evbuffer* out = bufferevent_get_output(bev_.get());
  evbuffer_expand(out, left);
  for (std::string_view part : parts) {
    size_t skip = std::min(written, part.size());
    written -= skip;
    evbuffer_add(out, part.data() + skip, part.size() - skip);
  }
}

size_t Connection::output_pending() const {
  return bev_ ? evbuffer_get_length(bufferevent_get_output(bev_.get())) : 0;
}

void Connection::read_bytes(size_t n) {
  raw_remaining_ = n;
  if (state_ == State::kOpen) kick_.start(milliseconds(0));
}

void Connection::read_all_raw() {
  std::string partial = splitter_.take_partial();
  if (bev_ && !partial.empty())
    evbuffer_prepend(bufferevent_get_input(bev_.get()), partial.data(), partial.size());
  read_bytes(std::numeric_limits<size_t>::max());
}

void Connection::set_timeouts(milliseconds idle, milliseconds session) {
  params_.limits.idle_timeout = idle;
  params_.limits.session_timeout = session;
  if (state_ == State::kClosing || state_ == State::kClosed) return;
  idle.count() > 0 ? idle_timer_.start(idle) : idle_timer_.cancel();
  session.count() > 0 ? session_timer_.start(session) : session_timer_.cancel();
}

void Connection::send_buffer(evbuffer* source) {
  if (state_ != State::kOpen && state_ != State::kClosing) return;
  evbuffer_add_buffer(bufferevent_get_output(bev_.get()), source);
}

std::optional<uid_t> socket_peer_uid(int fd) {
  ucred cred{};
  socklen_t length = sizeof cred;
  if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &length) != 0) return std::nullopt;
  return cred.uid;
}

std::optional<uid_t> Connection::peer_uid() const {
  return socket_peer_uid(bev_ ? static_cast<int>(bufferevent_getfd(bev_.get())) : params_.fd.get());
}

void Connection::end_read_bytes(std::string_view unused) {
  raw_remaining_ = 0;
  if (!bev_ || unused.empty()) return;
  evbuffer_prepend(bufferevent_get_input(bev_.get()), unused.data(), unused.size());
}

size_t Connection::input_pending() const {
  if (!bev_) return 0;
  return evbuffer_get_length(bufferevent_get_input(bev_.get())) + splitter_.pending();
}

void Connection::pause_input() {
  paused_by_session_ = true;
}

void Connection::resume_input() {
  paused_by_session_ = false;
  if (state_ == State::kOpen) kick_.start(milliseconds(0));
}

Status Connection::start_tls() {
  if (state_ != State::kOpen) return make_error("connection is not open");
  if (tls_established_) return make_error("TLS already active");
  if (!tls_) return make_error("TLS not available");
  // CVE-2011-0411: bytes after the STARTTLS line were sent in clear and
  // could have been injected; they must never be read as commands.
  evbuffer* in = bufferevent_get_input(bev_.get());
  evbuffer_drain(in, evbuffer_get_length(in));
  splitter_.reset();
  raw_remaining_ = 0;
  state_ = State::kTlsPending;
  bufferevent_disable(bev_.get(), EV_READ);                 // the rest is the client's ClientHello
  if (output_pending() == 0) kick_.start(milliseconds(0));  // no reply queued; switch now
  return {};
}

SSL* Connection::ssl() const {
  return tls_established_ && bev_ ? bufferevent_openssl_get_ssl(bev_.get()) : nullptr;
}

std::string Connection::tls_version() const {
  SSL* s = ssl();
  return s ? net::tls_version(s) : "";
}

std::string Connection::tls_cipher() const {
  SSL* s = ssl();
  return s ? net::tls_cipher(s) : "";
}

Result<ChannelBinding> Connection::channel_binding() const {
  SSL* s = ssl();
  if (s == nullptr) return make_error("no TLS on this connection");
  return net::channel_binding(s);
}

void Connection::close_after_flush() {
  if (state_ == State::kClosing || state_ == State::kClosed) return;
  if (!bev_ || state_ == State::kTlsHandshake || state_ == State::kTlsPending)
    return close_now(false);
  state_ = State::kClosing;
  bufferevent_disable(bev_.get(), EV_READ);
  if (output_pending() == 0) return close_now(true);
  linger_timer_.start(kCloseLinger);
}

void Connection::close() {
  close_now(false);
}

void Connection::timed_out(Timeout which) {
  if (state_ == State::kClosed || state_ == State::kClosing) return;
  log::write(log::Level::kInfo, session_id_,
             which == Timeout::kIdle ? "idle timeout" : "session timeout");
  if (state_ == State::kOpen) session_->on_timeout(*this, which);
  close_after_flush();
}

void Connection::close_now(bool graceful) {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  idle_timer_.cancel();
  session_timer_.cancel();
  linger_timer_.cancel();
  kick_.cancel();
  if (graceful && tls_established_ && bev_) SSL_shutdown(bufferevent_openssl_get_ssl(bev_.get()));
  bev_.reset();
  params_.fd.reset();
  log::write(log::Level::kInfo, session_id_, "disconnect");
  if (on_closed_) std::exchange(on_closed_, nullptr)(*this);
}

}  // namespace gm::net
