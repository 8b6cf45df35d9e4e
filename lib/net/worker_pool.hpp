// Blocking work (disk writes, fsync) off the event loop thread (STYLE.md,
// Resources): run() hands `work` to one of a few threads and calls
// `done_on_loop` back on the loop thread once it has finished. Completions
// reach the loop through a self-pipe, so the loop never waits on a lock
// held across disk I/O.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "core/unique_fd.hpp"
#include "net/event_loop.hpp"

namespace gm::net {

class WorkerPool {
 public:
  // threads >= 1. Throws std::runtime_error when the pipe or event cannot
  // be made (startup only).
  WorkerPool(EventLoop& loop, size_t threads);
  // Waits for the work already started; queued work that has not started
  // is dropped and its done_on_loop is never called.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // `work` runs on a worker thread and must not touch loop objects;
  // `done_on_loop` runs on the loop thread afterwards, in completion order.
  void run(std::function<void()> work, std::function<void()> done_on_loop);

  size_t queued() const;

 private:
  struct Job {
    std::function<void()> work;
    std::function<void()> done;
  };
  static void on_wake(int fd, short, void* self);
  void worker();
  void deliver_completions();

  mutable std::mutex mutex_;
  std::condition_variable wake_worker_;
  std::deque<Job> pending_;
  std::deque<std::function<void()>> completed_;
  bool stopping_ = false;
  UniqueFd wake_read_, wake_write_;
  EventPtr wake_event_;
  std::vector<std::thread> threads_;
};

}  // namespace gm::net
