#include "master/restart_policy.hpp"

#include <algorithm>

#include "core/str.hpp"

namespace gm::master {
namespace {

// More exits than this are never needed to decide; bounds the history when
// the window is long and the backoff short.
constexpr size_t kMaxRememberedExits = 1024;

}  // namespace

RestartDecision RestartTracker::on_exit(Clock::time_point now, std::chrono::milliseconds uptime,
                                        const RestartPolicy& policy) {
  while (!exits_.empty() && now - exits_.front() > policy.crash_loop_window) exits_.pop_front();
  if (exits_.size() >= kMaxRememberedExits) exits_.pop_front();
  exits_.push_back(now);
  // A process that stayed up for a whole window was healthy: start over.
  if (uptime >= policy.crash_loop_window) next_delay_ = std::chrono::milliseconds{0};

  RestartDecision decision;
  decision.exits_in_window = static_cast<int>(exits_.size());
  decision.delay = next_delay_.count() == 0 ? policy.backoff_min : next_delay_;
  decision.delay = std::min(decision.delay, policy.backoff_max);
  next_delay_ = std::min(decision.delay * 2, policy.backoff_max);
  if (decision.exits_in_window > policy.crash_loop_restarts) {
    decision.crash_loop = true;
    decision.delay = policy.backoff_max;
    next_delay_ = policy.backoff_max;
  }
  return decision;
}

std::string describe_duration(std::chrono::milliseconds duration) {
  int64_t ms = duration.count();
  if (ms < 1000) return str_cat(ms, "ms");
  if (ms < 10000 && ms % 1000 != 0) return str_cat(ms / 1000, ".", (ms % 1000) / 100, "s");
  int64_t seconds = ms / 1000;
  if (seconds < 120) return str_cat(seconds, "s");
  if (seconds % 60 == 0) return str_cat(seconds / 60, "m");
  return str_cat(seconds / 60, "m", seconds % 60, "s");
}

}  // namespace gm::master
