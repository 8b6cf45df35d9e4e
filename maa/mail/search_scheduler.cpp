#include "search_scheduler.hpp"

#include <algorithm>
#include <chrono>

namespace gm::maa {

uint64_t SearchScheduler::add(std::function<bool()> slice) {
  uint64_t id = next_id_++;
  jobs_.push_back(Job{id, std::move(slice)});
  if (!timer_.pending()) timer_.start(std::chrono::milliseconds(0));
  return id;
}

void SearchScheduler::cancel(uint64_t id) {
  if (id == running_) {
    running_cancelled_ = true;  // turn() removes it once slice() has returned
    return;
  }
  std::erase_if(jobs_, [&](const Job& job) { return job.id == id; });
}

void SearchScheduler::turn() {
  if (jobs_.empty()) return;
  // slice() may add jobs (push_back keeps references valid) or cancel
  // itself; the function object stays alive until it returns.
  Job job = std::move(jobs_.front());
  jobs_.pop_front();
  running_ = job.id;
  running_cancelled_ = false;
  bool done = job.slice();
  running_ = 0;
  if (!done && !running_cancelled_) jobs_.push_front(std::move(job));
  if (!jobs_.empty()) timer_.start(std::chrono::milliseconds(0));
}

}  // namespace gm::maa
