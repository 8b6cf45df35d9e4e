#include "net/event_loop.hpp"

#include <event2/event.h>

#include <stdexcept>

namespace gm::net {

void EventDeleter::operator()(event* ev) const {
  event_free(ev);
}

EventLoop::EventLoop() : base_(event_base_new()) {
  if (base_ == nullptr) throw std::runtime_error("libevent: cannot create an event base");
}

EventLoop::~EventLoop() {
  event_base_free(base_);
}

void EventLoop::run() {
  event_base_dispatch(base_);
}

void EventLoop::stop() {
  event_base_loopexit(base_, nullptr);
}

Timer::Timer(EventLoop& loop, std::function<void()> fire)
    : fire_(std::move(fire)), event_(evtimer_new(loop.base(), &Timer::on_fire, this)) {
  if (!event_) throw std::runtime_error("libevent: cannot create a timer");
}

void Timer::start(std::chrono::milliseconds after) {
  auto ms = after.count() < 0 ? 0 : after.count();
  timeval tv{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
  evtimer_add(event_.get(), &tv);
}

void Timer::cancel() {
  evtimer_del(event_.get());
}

bool Timer::pending() const {
  return evtimer_pending(event_.get(), nullptr) != 0;
}

void Timer::on_fire(int, short, void* self) {
  static_cast<Timer*>(self)->fire_();
}

SignalHandler::SignalHandler(EventLoop& loop, int signal_number, std::function<void()> handle)
    : handle_(std::move(handle)),
      event_(evsignal_new(loop.base(), signal_number, &SignalHandler::on_signal, this)) {
  if (!event_ || evsignal_add(event_.get(), nullptr) != 0)
    throw std::runtime_error("libevent: cannot watch a signal");
}

void SignalHandler::on_signal(int, short, void* self) {
  static_cast<SignalHandler*>(self)->handle_();
}

}  // namespace gm::net
