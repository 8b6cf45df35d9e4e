// Long SEARCH/SORT/THREAD evaluations of one maa-mail process, run one at a
// time in arrival order, one slice per turn of the event loop: the other
// sessions' commands are served between slices, and with several big
// searches queued the first finishes first (instead of all finishing
// together at the end, as round-robin slicing would).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>

#include "net/event_loop.hpp"

namespace gm::maa {

class SearchScheduler {
 public:
  explicit SearchScheduler(net::EventLoop& loop) : timer_(loop, [this] { turn(); }) {}
  SearchScheduler(const SearchScheduler&) = delete;
  SearchScheduler& operator=(const SearchScheduler&) = delete;

  // Queues a job: slice() runs once per turn while it is first in line,
  // until it returns true. The id is for cancel().
  uint64_t add(std::function<bool()> slice);
  // Drops a job (its session went away or finished it); safe from inside slice().
  void cancel(uint64_t id);
  size_t queued() const { return jobs_.size(); }

 private:
  struct Job {
    uint64_t id;
    std::function<bool()> slice;
  };
  void turn();

  net::Timer timer_;
  std::deque<Job> jobs_;
  uint64_t next_id_ = 1;
  uint64_t running_ = 0;  // the id whose slice() runs now
  bool running_cancelled_ = false;
};

}  // namespace gm::maa
