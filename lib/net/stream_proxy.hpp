// Relays bytes both ways between a client Connection and a backend stream
// socket (maa -> maa-mail after login), with backpressure both ways:
// - client -> backend: when more than kProxyHighWater waits for the
//   backend, the client's input is paused until the backend has read it;
// - backend -> client: when more than kProxyHighWater waits for the
//   client, reading from the backend stops until the client has drained.
// So a slow reader at either end costs at most about 2 x kProxyHighWater
// of memory, never more.
// The session owning the client wires two calls: its on_data hands every
// chunk to from_client(), its on_drain calls client_drained(). The client
// is switched to raw input by start(). When the backend closes, the client
// gets what is queued and is closed; destroying the proxy (when the client
// has closed) closes the backend.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "core/result.hpp"
#include "core/unique_fd.hpp"
#include "net/connection.hpp"
#include "net/event_loop.hpp"

struct bufferevent;

namespace gm::net {

inline constexpr size_t kProxyHighWater = 256 * 1024;
// Bytes read from the backend at once.
inline constexpr size_t kProxyReadChunk = 64 * 1024;

class StreamProxy {
 public:
  // `backend` is a connected nonblocking stream socket.
  StreamProxy(Connection& client, UniqueFd backend);
  ~StreamProxy();
  StreamProxy(const StreamProxy&) = delete;
  StreamProxy& operator=(const StreamProxy&) = delete;

  // Sends `first` (e.g. a handoff line) to the backend ahead of anything
  // from the client, then relays.
  void start(std::string_view first);
  void from_client(std::string_view chunk);
  void client_drained();

  size_t to_backend_pending() const;

 private:
  struct BevDeleter {
    void operator()(bufferevent* bev) const;
  };
  static void on_backend_read(bufferevent* bev, void* self);
  static void on_backend_write(bufferevent* bev, void* self);
  static void on_backend_event(bufferevent* bev, short what, void* self);
  void backend_closed();

  Connection& client_;
  std::unique_ptr<bufferevent, BevDeleter> backend_;
  bool client_paused_ = false;
  bool backend_paused_ = false;
};

}  // namespace gm::net
