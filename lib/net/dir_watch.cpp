#include "net/dir_watch.hpp"

#include <event2/event.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <string_view>
#include <unordered_map>

#include "core/str.hpp"
#include "core/unique_fd.hpp"

namespace gm::net {
namespace {

// Deliveries and expunges create, move and delete names; flag changes are
// renames within cur/.
constexpr uint32_t kMessageEvents = IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE;
// In the folder directory only a new gm-index (renamed into place) counts.
constexpr uint32_t kFolderEvents = IN_MOVED_TO;
constexpr std::string_view kIndexName = "gm-index";
constexpr size_t kEventBuffer = 16 << 10;

Error inotify_error(std::string_view what, const std::string& path) {
  return make_error(str_cat("inotify ", what, " ", path, ": ", std::strerror(errno)));
}

}  // namespace

// One inotify instance per EventLoop. A directory is watched once (the
// kernel returns the same descriptor for the same inode), refcounted by its
// subscribers; each subscriber holds the three descriptors of its folder.
class InotifyHub : public std::enable_shared_from_this<InotifyHub> {
 public:
  static Result<std::shared_ptr<InotifyHub>> of(EventLoop& loop);
  ~InotifyHub() = default;

  // Adds a subscriber for folder_dir; on failure nothing stays watched.
  Result<uint64_t> subscribe(const std::string& folder_dir, std::function<void()> changed);
  void unsubscribe(uint64_t id);

 private:
  struct Watch {
    int refs = 0;
    bool folder = false;  // the folder directory itself: gm-index only
    std::vector<uint64_t> subscribers;
  };
  struct Subscriber {
    std::vector<int> wds;
    std::function<void()> changed;
  };

  explicit InotifyHub(UniqueFd fd) : fd_(std::move(fd)) {}
  Result<int> add(const std::string& path, uint32_t mask, bool folder, uint64_t id);
  void release(int wd, uint64_t id);
  static void on_readable(int fd, short, void* self);
  std::vector<uint64_t> drain();  // subscribers concerned by the pending events

  UniqueFd fd_;
  EventPtr event_;
  std::unordered_map<int, Watch> watches_;
  std::map<uint64_t, Subscriber> subscribers_;
  uint64_t next_id_ = 1;
};

Result<std::shared_ptr<InotifyHub>> InotifyHub::of(EventLoop& loop) {
  // Loops live on their own threads; the hub lives as long as a DirWatch
  // uses it (DirWatches must not outlive their loop).
  thread_local std::map<EventLoop*, std::weak_ptr<InotifyHub>> hubs;
  std::erase_if(hubs, [](const auto& entry) { return entry.second.expired(); });
  if (auto hub = hubs[&loop].lock()) return hub;
  UniqueFd fd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (!fd) return inotify_error("init", "");
  std::shared_ptr<InotifyHub> hub(new InotifyHub(std::move(fd)));
  hub->event_.reset(event_new(loop.base(), hub->fd_.get(), EV_READ | EV_PERSIST,
                              &InotifyHub::on_readable, hub.get()));
  if (!hub->event_ || event_add(hub->event_.get(), nullptr) != 0)
    return make_error("libevent: cannot watch the inotify descriptor");
  hubs[&loop] = hub;
  return hub;
}

Result<int> InotifyHub::add(const std::string& path, uint32_t mask, bool folder, uint64_t id) {
  int wd = ::inotify_add_watch(fd_.get(), path.c_str(), mask | IN_ONLYDIR);
  if (wd < 0) return inotify_error("watch", path);
  Watch& watch = watches_[wd];
  ++watch.refs;
  watch.folder = folder;
  watch.subscribers.push_back(id);
  return wd;
}

void InotifyHub::release(int wd, uint64_t id) {
  auto it = watches_.find(wd);
  if (it == watches_.end()) return;
  auto& subs = it->second.subscribers;
  for (auto s = subs.begin(); s != subs.end(); ++s) {
    if (*s == id) {
      subs.erase(s);
      break;
    }
  }
  if (--it->second.refs > 0) return;
  (void)::inotify_rm_watch(fd_.get(), wd);  // fails harmlessly if the directory went
  watches_.erase(it);
}

Result<uint64_t> InotifyHub::subscribe(const std::string& folder_dir,
                                       std::function<void()> changed) {
  uint64_t id = next_id_++;
  Subscriber subscriber{{}, std::move(changed)};
  struct Part {
    std::string path;
    uint32_t mask;
    bool folder;
  };
  for (const Part& part : {Part{folder_dir + "/new", kMessageEvents, false},
                           Part{folder_dir + "/cur", kMessageEvents, false},
                           Part{folder_dir, kFolderEvents, true}}) {
    auto wd = add(part.path, part.mask, part.folder, id);
    if (!wd) {
      for (int added : subscriber.wds) release(added, id);
      return wd.error();
    }
    subscriber.wds.push_back(*wd);
  }
  subscribers_.emplace(id, std::move(subscriber));
  return id;
}

void InotifyHub::unsubscribe(uint64_t id) {
  auto it = subscribers_.find(id);
  if (it == subscribers_.end()) return;
  for (int wd : it->second.wds) release(wd, id);
  subscribers_.erase(it);
}

std::vector<uint64_t> InotifyHub::drain() {
  alignas(inotify_event) char buffer[kEventBuffer];
  std::vector<uint64_t> concerned;
  bool overflow = false;
  while (true) {
    ssize_t n = ::read(fd_.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EAGAIN: drained
    for (ssize_t offset = 0; offset < n;) {
      const auto* ev = reinterpret_cast<const inotify_event*>(buffer + offset);
      offset += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
      if (ev->mask & IN_Q_OVERFLOW) overflow = true;
      auto it = watches_.find(ev->wd);
      if (it == watches_.end()) continue;
      if (it->second.folder && !(ev->len > 0 && std::string_view(ev->name) == kIndexName))
        continue;
      concerned.insert(concerned.end(), it->second.subscribers.begin(),
                       it->second.subscribers.end());
    }
  }
  if (overflow) {  // events were lost: everyone must look
    concerned.clear();
    for (const auto& [id, subscriber] : subscribers_) concerned.push_back(id);
  }
  std::sort(concerned.begin(), concerned.end());
  concerned.erase(std::unique(concerned.begin(), concerned.end()), concerned.end());
  return concerned;
}

void InotifyHub::on_readable(int, short, void* self) {
  auto* hub = static_cast<InotifyHub*>(self);
  // A callback may end any DirWatch, even the last one: keep the hub alive
  // and look each subscriber up again before calling it.
  std::shared_ptr<InotifyHub> keep = hub->shared_from_this();
  for (uint64_t id : hub->drain()) {
    auto it = hub->subscribers_.find(id);
    if (it == hub->subscribers_.end()) continue;
    std::function<void()> changed = it->second.changed;  // may be unsubscribed inside
    changed();
  }
}

Result<std::unique_ptr<DirWatch>> DirWatch::start(EventLoop& loop, const std::string& folder_dir,
                                                  std::function<void()> changed) {
  auto hub = InotifyHub::of(loop);
  if (!hub) return hub.error();
  auto id = (*hub)->subscribe(folder_dir, std::move(changed));
  if (!id) return id.error();
  return std::unique_ptr<DirWatch>(new DirWatch(std::move(*hub), *id));
}

DirWatch::DirWatch(std::shared_ptr<InotifyHub> hub, uint64_t id)
    : hub_(std::move(hub)), id_(id) {}

DirWatch::~DirWatch() { hub_->unsubscribe(id_); }

}  // namespace gm::net
