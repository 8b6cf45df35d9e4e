#include "worker_table.hpp"

#include <iterator>

namespace gm::maa {

WorkerTable::Placement WorkerTable::place(const std::string& user) {
  Placement placement;
  if (auto it = by_user_.find(user); it != by_user_.end()) {
    placement.worker = it->second;
  } else if (workers_.size() < max_workers_) {
    placement = {next_id_++, true};
    workers_[placement.worker];
  } else {
    placement.worker = least_loaded();
  }
  Worker& worker = workers_[placement.worker];
  // Users kept only because the worker idled have no claim once it works
  // for someone else.
  for (auto it = worker.users.begin(); it != worker.users.end();) {
    if (it->second == 0 && it->first != user) {
      by_user_.erase(it->first);
      it = worker.users.erase(it);
    } else {
      ++it;
    }
  }
  ++worker.users[user];
  ++worker.sessions;
  by_user_[user] = placement.worker;
  return placement;
}

bool WorkerTable::session_ended(WorkerId id, const std::string& user) {
  auto worker = workers_.find(id);
  if (worker == workers_.end()) return false;
  auto entry = worker->second.users.find(user);
  if (entry == worker->second.users.end() || entry->second == 0) return false;
  --entry->second;
  --worker->second.sessions;
  bool idle = worker->second.sessions == 0;
  if (entry->second == 0 && !idle) {
    by_user_.erase(user);
    worker->second.users.erase(entry);
  }
  return idle;
}

void WorkerTable::forget(WorkerId id) {
  auto worker = workers_.find(id);
  if (worker == workers_.end()) return;
  for (const auto& entry : worker->second.users) by_user_.erase(entry.first);
  workers_.erase(worker);
}

size_t WorkerTable::sessions(WorkerId id) const {
  auto worker = workers_.find(id);
  return worker == workers_.end() ? 0 : worker->second.sessions;
}

std::optional<WorkerId> WorkerTable::worker_of(const std::string& user) const {
  auto it = by_user_.find(user);
  if (it == by_user_.end()) return std::nullopt;
  return it->second;
}

WorkerId WorkerTable::least_loaded() const {
  auto best = workers_.begin();
  for (auto it = std::next(best); it != workers_.end(); ++it)
    if (it->second.sessions < best->second.sessions) best = it;
  return best->first;
}

}  // namespace gm::maa
