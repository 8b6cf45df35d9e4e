// The connections one process serves: owns each from its creation until
// after it has closed, and destroys it from the loop, never from inside its
// own callbacks. run_server keeps its accepted clients here, maa-mail's
// workers the clients passed to them (maa-mail(8)).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "net/connection.hpp"
#include "net/event_loop.hpp"

namespace gm::net {

class ConnectionSet {
 public:
  explicit ConnectionSet(EventLoop& loop);
  ConnectionSet(const ConnectionSet&) = delete;
  ConnectionSet& operator=(const ConnectionSet&) = delete;

  // Makes a connection, not yet started (start() or refuse() it);
  // `on_closed` (may be empty) runs once when it has closed.
  Connection& add(ConnectionParams params, std::unique_ptr<Session> session,
                  Connection::ClosedHook on_closed);
  size_t size() const { return open_.size(); }
  // Closes every connection now; each session gets on_close.
  void close_all();

 private:
  void closed(Connection& c);

  EventLoop& loop_;
  std::map<Connection*, std::unique_ptr<Connection>> open_;
  std::vector<std::unique_ptr<Connection>> closed_;
  Timer reaper_;
};

}  // namespace gm::net
