#include "net/read_watch.hpp"

#include <event2/event.h>

#include <stdexcept>

namespace gm::net {

ReadWatch::ReadWatch(EventLoop& loop, int fd, std::function<void()> on_readable)
    : on_readable_(std::move(on_readable)),
      event_(event_new(loop.base(), fd, EV_READ | EV_PERSIST, &ReadWatch::on_event, this)) {
  if (!event_ || event_add(event_.get(), nullptr) != 0)
    throw std::runtime_error("libevent: cannot watch an fd");
}

void ReadWatch::stop() {
  event_del(event_.get());
}

void ReadWatch::on_event(int, short, void* self) {
  static_cast<ReadWatch*>(self)->on_readable_();
}

}  // namespace gm::net
