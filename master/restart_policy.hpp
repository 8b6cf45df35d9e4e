// When to restart a daemon that exited: exponential backoff between
// restart_backoff_min and restart_backoff_max, and crash-loop detection
// (more than crash_loop_restarts exits within crash_loop_window). A daemon
// in a crash loop is retried at the maximum delay, never in a tight loop.
#pragma once

#include <chrono>
#include <deque>
#include <string>

namespace gm::master {

using Clock = std::chrono::steady_clock;

struct RestartPolicy {
  std::chrono::milliseconds backoff_min{1000};
  std::chrono::milliseconds backoff_max{60000};
  int crash_loop_restarts = 5;
  std::chrono::milliseconds crash_loop_window{60000};
};

struct RestartDecision {
  std::chrono::milliseconds delay{0};
  bool crash_loop = false;
  int exits_in_window = 0;
};

// The restart history of one process slot.
class RestartTracker {
 public:
  // A process exited by itself after running for uptime.
  RestartDecision on_exit(Clock::time_point now, std::chrono::milliseconds uptime,
                          const RestartPolicy& policy);

 private:
  std::deque<Clock::time_point> exits_;  // within the window, oldest first
  std::chrono::milliseconds next_delay_{0};
};

// "250ms", "1.5s", "60s", "2m30s": for log lines.
std::string describe_duration(std::chrono::milliseconds duration);

}  // namespace gm::master
