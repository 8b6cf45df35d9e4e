// One IMAP client connection of the load generator: TCP (optionally
// implicit TLS) on a libevent loop, split into whole server responses.
// A response is a line plus any literals it announces ({n} at a line end)
// and the lines that continue it; the handler sees only its first line
// (tag and response kind are all the load generator needs) and the number
// of literal bytes it carried.
#pragma once

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <openssl/ssl.h>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace gm::bench {

class ImapConnection {
 public:
  using ResponseHandler = std::function<void(std::string_view first_line, size_t literal_bytes)>;
  using ConnectedHandler = std::function<void()>;
  using ClosedHandler = std::function<void(std::string_view why)>;

  // Starts connecting at once; with tls != nullptr the connection is
  // implicit TLS (imaps). Handlers run on the loop; none of them may
  // destroy this object (defer that to the next loop turn).
  ImapConnection(event_base* base, SSL_CTX* tls, const sockaddr_in& address,
                 ResponseHandler on_response, ConnectedHandler on_connected,
                 ClosedHandler on_closed);
  ~ImapConnection();
  ImapConnection(const ImapConnection&) = delete;
  ImapConnection& operator=(const ImapConnection&) = delete;

  void send(std::string_view text);
  bool closed() const { return closed_; }

 private:
  static void read_callback(bufferevent* bev, void* self);
  static void event_callback(bufferevent* bev, short events, void* self);
  void drain_input();
  void close(std::string_view why);

  bufferevent* bev_ = nullptr;
  ResponseHandler on_response_;
  ConnectedHandler on_connected_;
  ClosedHandler on_closed_;
  std::string first_line_;    // of the response being read, when it has literals
  size_t literal_left_ = 0;   // bytes of the current literal still to skip
  size_t literal_bytes_ = 0;  // literal bytes of the current response
  bool in_response_ = false;  // a literal was announced; more lines follow
  bool closed_ = false;
};

}  // namespace gm::bench
