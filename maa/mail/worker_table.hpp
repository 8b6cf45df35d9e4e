// Which worker process serves which user (maa-mail(8)). All sessions of a
// user go to one worker while it has any; a new user gets a worker of its
// own, or, with max_workers running, joins the worker with the fewest
// sessions: a login is never refused for want of a process. Pure
// bookkeeping; the dispatcher starts and stops the processes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gm::maa {

using WorkerId = uint64_t;

class WorkerTable {
 public:
  explicit WorkerTable(size_t max_workers) : max_workers_(max_workers < 1 ? 1 : max_workers) {}

  struct Placement {
    WorkerId worker = 0;
    bool new_worker = false;  // the caller must start it (or forget() it)
  };
  // Where the user's next session goes; counts it as started.
  Placement place(const std::string& user);
  // One session of `user` on `worker` ended. True when the worker has no
  // session left (the dispatcher then retires it after a while; a session
  // of the same user placed meanwhile goes to it again).
  bool session_ended(WorkerId worker, const std::string& user);
  // The worker is gone (exited, crashed, or retired): its users are free.
  void forget(WorkerId worker);

  size_t workers() const { return workers_.size(); }
  size_t sessions(WorkerId worker) const;
  std::optional<WorkerId> worker_of(const std::string& user) const;

 private:
  struct Worker {
    size_t sessions = 0;
    std::map<std::string, size_t> users;  // user -> sessions; 0 only while the worker idles
  };
  WorkerId least_loaded() const;

  size_t max_workers_;
  WorkerId next_id_ = 1;
  std::map<WorkerId, Worker> workers_;
  std::map<std::string, WorkerId> by_user_;
};

}  // namespace gm::maa
