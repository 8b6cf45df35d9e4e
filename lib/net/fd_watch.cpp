#include "net/fd_watch.hpp"

#include <event2/event.h>

#include <stdexcept>

namespace gm::net {

FdWatch::FdWatch(EventLoop& loop, int fd, Direction direction, std::function<void()> on_ready)
    : on_ready_(std::move(on_ready)),
      event_(event_new(loop.base(), fd,
                       (direction == Direction::kRead ? EV_READ : EV_WRITE) | EV_PERSIST,
                       &FdWatch::on_event, this)) {
  if (!event_) throw std::runtime_error("libevent: cannot watch an fd");
}

void FdWatch::start() {
  if (event_add(event_.get(), nullptr) != 0) throw std::runtime_error("libevent: event_add");
}

void FdWatch::stop() {
  event_del(event_.get());
}

void FdWatch::on_event(int, short, void* self) {
  static_cast<FdWatch*>(self)->on_ready_();
}

}  // namespace gm::net
