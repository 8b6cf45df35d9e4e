#include "net/worker_pool.hpp"

#include <event2/event.h>
#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <stdexcept>

namespace gm::net {

WorkerPool::WorkerPool(EventLoop& loop, size_t threads) {
  int fds[2];
  if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) throw std::runtime_error("worker pool: pipe2");
  wake_read_ = UniqueFd(fds[0]);
  wake_write_ = UniqueFd(fds[1]);
  wake_event_.reset(
      event_new(loop.base(), wake_read_.get(), EV_READ | EV_PERSIST, &WorkerPool::on_wake, this));
  if (!wake_event_ || event_add(wake_event_.get(), nullptr) != 0)
    throw std::runtime_error("worker pool: event_new");
  if (threads == 0) threads = 1;
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { worker(); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    pending_.clear();
  }
  wake_worker_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void WorkerPool::run(std::function<void()> work, std::function<void()> done_on_loop) {
  {
    std::lock_guard lock(mutex_);
    pending_.push_back({std::move(work), std::move(done_on_loop)});
  }
  wake_worker_.notify_one();
}

size_t WorkerPool::queued() const {
  std::lock_guard lock(mutex_);
  return pending_.size();
}

void WorkerPool::worker() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      wake_worker_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
      if (stopping_) return;
      job = std::move(pending_.front());
      pending_.pop_front();
    }
    job.work();
    {
      std::lock_guard lock(mutex_);
      completed_.push_back(std::move(job.done));
    }
    // One byte per completion at most wakes the loop; a full pipe already
    // means a wake-up is pending, so EAGAIN is fine.
    char byte = 1;
    ssize_t ignored = write(wake_write_.get(), &byte, 1);
    (void)ignored;
  }
}

void WorkerPool::on_wake(int fd, short, void* self) {
  std::array<char, 256> drain;
  while (read(fd, drain.data(), drain.size()) > 0) {
  }
  static_cast<WorkerPool*>(self)->deliver_completions();
}

void WorkerPool::deliver_completions() {
  std::deque<std::function<void()>> done;
  {
    std::lock_guard lock(mutex_);
    done.swap(completed_);
  }
  // A callback may destroy objects that own further callbacks' captures,
  // but never the pool itself (it outlives every session).
  for (auto& callback : done)
    if (callback) callback();
}

}  // namespace gm::net
