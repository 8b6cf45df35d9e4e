// Calls back whenever an fd the loop does not otherwise own is readable
// (level-triggered, until destroyed): a socket passing fds, a connection
// not yet handed to a Connection. Not movable: libevent holds its address.
#pragma once

#include <functional>

#include "net/event_loop.hpp"

namespace gm::net {

class ReadWatch {
 public:
  ReadWatch(EventLoop& loop, int fd, std::function<void()> on_readable);
  ReadWatch(const ReadWatch&) = delete;
  ReadWatch& operator=(const ReadWatch&) = delete;

  // No more callbacks; safe from inside one (destroying the watch there is not).
  void stop();

 private:
  static void on_event(int, short, void* self);
  std::function<void()> on_readable_;
  EventPtr event_;
};

}  // namespace gm::net
