// The event loop every daemon runs on: an owning wrapper over libevent's
// event_base, with timers and signal handlers as RAII objects. One loop per
// process, one thread; nothing here may block (STYLE.md, Resources).
#pragma once

#include <chrono>
#include <functional>
#include <memory>

struct event;
struct event_base;

namespace gm::net {

struct EventDeleter {
  void operator()(event* ev) const;
};
using EventPtr = std::unique_ptr<event, EventDeleter>;

class EventLoop {
 public:
  EventLoop();  // throws std::runtime_error when libevent cannot start (startup only)
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  event_base* base() const { return base_; }
  // Runs until stop() or until nothing is left to wait for.
  void run();
  // Makes run() return after the current round of callbacks.
  void stop();

 private:
  event_base* base_;
};

// A one-shot timer; start() again to re-arm. Not movable: libevent holds
// its address.
class Timer {
 public:
  Timer(EventLoop& loop, std::function<void()> fire);
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  void start(std::chrono::milliseconds after);
  void cancel();
  bool pending() const;

 private:
  static void on_fire(int, short, void* self);
  std::function<void()> fire_;
  EventPtr event_;
};

// Delivers a signal through the loop, so the handler may do anything a
// callback may (reload files, stop the loop), unlike a raw signal handler.
class SignalHandler {
 public:
  SignalHandler(EventLoop& loop, int signal_number, std::function<void()> handle);
  SignalHandler(const SignalHandler&) = delete;
  SignalHandler& operator=(const SignalHandler&) = delete;

 private:
  static void on_signal(int, short, void* self);
  std::function<void()> handle_;
  EventPtr event_;
};

}  // namespace gm::net
