#include "imap_connection.hpp"

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <charconv>
#include <cstdlib>
#include <optional>

namespace gm::bench {
namespace {

// RFC 9051 4.3: a literal is announced by "{n}" (or "{n+}") ending a line.
std::optional<size_t> literal_at_end(std::string_view line) {
  if (line.size() < 3 || line.back() != '}') return std::nullopt;
  size_t open = line.rfind('{');
  if (open == std::string_view::npos) return std::nullopt;
  std::string_view digits = line.substr(open + 1, line.size() - open - 2);
  if (!digits.empty() && digits.back() == '+') digits.remove_suffix(1);
  size_t n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty())
    return std::nullopt;
  return n;
}

}  // namespace

ImapConnection::ImapConnection(event_base* base, SSL_CTX* tls, const sockaddr_in& address,
                               ResponseHandler on_response, ConnectedHandler on_connected,
                               ClosedHandler on_closed)
    : on_response_(std::move(on_response)),
      on_connected_(std::move(on_connected)),
      on_closed_(std::move(on_closed)) {
  constexpr int kOptions = BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS;
  if (tls != nullptr) {
    SSL* ssl = SSL_new(tls);
    bev_ = bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_CONNECTING, kOptions);
    bufferevent_openssl_set_allow_dirty_shutdown(bev_, 1);
  } else {
    bev_ = bufferevent_socket_new(base, -1, kOptions);
  }
  if (bev_ == nullptr) std::abort();  // out of memory: nothing sensible to measure
  bufferevent_setcb(bev_, read_callback, nullptr, event_callback, this);
  bufferevent_enable(bev_, EV_READ | EV_WRITE);
  sockaddr_in to = address;
  if (bufferevent_socket_connect(bev_, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0)
    close("connect failed");
}

ImapConnection::~ImapConnection() {
  if (bev_ != nullptr) bufferevent_free(bev_);
}

void ImapConnection::send(std::string_view text) {
  if (!closed_) bufferevent_write(bev_, text.data(), text.size());
}

void ImapConnection::read_callback(bufferevent*, void* self) {
  static_cast<ImapConnection*>(self)->drain_input();
}

void ImapConnection::event_callback(bufferevent* bev, short events, void* self) {
  auto* connection = static_cast<ImapConnection*>(self);
  if (events & BEV_EVENT_CONNECTED) {
    int one = 1;  // commands are small and latency is what we measure
    setsockopt(bufferevent_getfd(bev), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    connection->on_connected_();
    return;
  }
  if (events & BEV_EVENT_EOF)
    connection->close("server closed the connection");
  else if (events & (BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
    connection->close("connection error");
}

void ImapConnection::drain_input() {
  evbuffer* input = bufferevent_get_input(bev_);
  while (!closed_) {
    if (literal_left_ > 0) {
      size_t n = std::min(literal_left_, evbuffer_get_length(input));
      if (n == 0) return;
      evbuffer_drain(input, n);
      literal_left_ -= n;
      continue;
    }
    size_t length = 0;
    char* raw = evbuffer_readln(input, &length, EVBUFFER_EOL_CRLF_STRICT);
    if (raw == nullptr) return;
    std::string_view line(raw, length);
    if (!in_response_) {
      first_line_.assign(line);
      literal_bytes_ = 0;
    }
    std::optional<size_t> literal = literal_at_end(line);
    std::free(raw);
    if (literal) {
      in_response_ = true;
      literal_left_ = *literal;
      literal_bytes_ += *literal;
      continue;
    }
    in_response_ = false;
    on_response_(first_line_, literal_bytes_);
  }
}

void ImapConnection::close(std::string_view why) {
  if (closed_) return;
  closed_ = true;
  bufferevent_disable(bev_, EV_READ | EV_WRITE);
  on_closed_(why);
}

}  // namespace gm::bench
