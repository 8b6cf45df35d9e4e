// Calls back while an fd the loop does not otherwise own is readable, or
// writable (level-triggered, between start() and stop()): a socket passing
// fds, a connection not yet handed to a Connection. Not movable: libevent
// holds its address.
#pragma once

#include <functional>

#include "net/event_loop.hpp"

namespace gm::net {

class FdWatch {
 public:
  enum class Direction { kRead, kWrite };

  // Stopped until start().
  FdWatch(EventLoop& loop, int fd, Direction direction, std::function<void()> on_ready);
  FdWatch(const FdWatch&) = delete;
  FdWatch& operator=(const FdWatch&) = delete;

  void start();
  // No more callbacks; safe from inside one (destroying the watch there is not).
  void stop();

 private:
  static void on_event(int, short, void* self);
  std::function<void()> on_ready_;
  EventPtr event_;
};

}  // namespace gm::net
