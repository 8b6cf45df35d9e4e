#include "folder_registry.hpp"

#include <sys/stat.h>

#include <mutex>
#include <vector>

#include "core/log.hpp"

namespace gm::maa {

SharedFolder::SharedFolder(net::EventLoop& loop, std::unique_ptr<mail::MailboxFolder> folder)
    : loop_(loop), folder_(std::move(folder)) {}

SharedFolder::~SharedFolder() = default;

SharedFolder::SnapshotKey SharedFolder::key() const {
  // Every append, flag change and expunge, ours or another process's,
  // moves HIGHESTMODSEQ; the other fields guard against a rebuild.
  return {folder_->uid_validity(), folder_->uid_next(), folder_->highest_modseq(),
          folder_->messages().size()};
}

SnapshotPtr SharedFolder::snapshot() {
  SnapshotKey now = key();
  if (!snapshot_ || now != snapshot_key_) {
    snapshot_ = ViewSnapshot::of(folder_->messages());
    snapshot_key_ = now;
  }
  return snapshot_;
}

std::unique_ptr<SharedFolder::Subscription> SharedFolder::subscribe(std::function<void()> changed) {
  uint64_t id = next_id_++;
  subscribers_.emplace(id, std::move(changed));
  if (!watch_ && !(poll_ && poll_->pending())) start_watching();
  return std::make_unique<Subscription>(shared_from_this(), id);
}

void SharedFolder::unsubscribe(uint64_t id) {
  subscribers_.erase(id);
  if (!subscribers_.empty()) return;
  watch_.reset();              // safe inside its callback: the hub holds a copy of it
  if (poll_) poll_->cancel();  // the timer may be the caller: stopped, not destroyed
}

void SharedFolder::start_watching() {
  auto watch = net::DirWatch::start(loop_, folder_->dir(), [this] { notify(); });
  if (watch) {
    watch_ = std::move(*watch);
    return;
  }
  // All folders share one inotify instance: only an exhausted
  // fs.inotify.max_user_watches gets here, so say it once.
  static std::once_flag logged;
  std::call_once(logged,
                 [&] { log::warning("IDLE polls (logged once): " + watch.error().message); });
  if (!poll_)
    poll_ = std::make_unique<net::Timer>(loop_, [this] {
      std::shared_ptr<SharedFolder> keep = shared_from_this();  // released last
      notify();
      if (!subscribers_.empty()) poll_->start(kIdlePollInterval);
    });
  poll_->start(kIdlePollInterval);
}

void SharedFolder::notify() {
  // A subscriber may end its own or another's subscription (a BYE, a closed
  // connection), even the last one: keep this alive and look each one up
  // again before calling it.
  std::shared_ptr<SharedFolder> keep = shared_from_this();
  if (auto synced = folder_->sync(); !synced)
    log::warning("sync of " + folder_->dir() + " failed: " + synced.error().message);
  std::vector<uint64_t> ids;
  ids.reserve(subscribers_.size());
  for (const auto& [id, changed] : subscribers_) ids.push_back(id);
  for (uint64_t id : ids) {
    auto it = subscribers_.find(id);
    if (it == subscribers_.end()) continue;
    std::function<void()> changed = it->second;  // may be unsubscribed inside
    changed();
  }
}

Result<std::shared_ptr<SharedFolder>> FolderRegistry::open(const std::string& dir) {
  std::erase_if(folders_, [](const auto& entry) { return entry.second.folder.expired(); });
  struct stat st {};
  bool exists = ::stat(dir.c_str(), &st) == 0;
  auto known = folders_.find(dir);
  if (exists && known != folders_.end() && known->second.dev == st.st_dev &&
      known->second.ino == st.st_ino) {
    auto open = known->second.folder.lock();
    if (auto synced = open->folder().sync(); !synced) return synced.error();
    return open;
  }
  auto folder = mail::MailboxFolder::open(dir);  // says why when dir is gone
  if (!folder) return folder.error();
  auto shared = std::make_shared<SharedFolder>(loop_, std::move(*folder));
  folders_[dir] = Entry{shared, st.st_dev, st.st_ino};
  return shared;
}

}  // namespace gm::maa
