#include "net/dir_watch.hpp"

#include <event2/event.h>
#include <sys/inotify.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "core/str.hpp"

namespace gm::net {
namespace {

// Deliveries and expunges create, move and delete names; flag changes are
// renames within cur/.
constexpr uint32_t kMessageEvents = IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE;
constexpr std::string_view kIndexName = "gm-index";
constexpr size_t kEventBuffer = 16 << 10;

Error inotify_error(std::string_view what, const std::string& path) {
  return make_error(str_cat("inotify ", what, " ", path, ": ", std::strerror(errno)));
}

}  // namespace

Result<std::unique_ptr<DirWatch>> DirWatch::start(EventLoop& loop, const std::string& folder_dir,
                                                  std::function<void()> changed) {
  UniqueFd fd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (!fd) return inotify_error("init", folder_dir);
  for (const char* sub : {"/new", "/cur"}) {
    std::string path = folder_dir + sub;
    if (::inotify_add_watch(fd.get(), path.c_str(), kMessageEvents | IN_ONLYDIR) < 0)
      return inotify_error("watch", path);
  }
  int folder_watch = ::inotify_add_watch(fd.get(), folder_dir.c_str(), IN_MOVED_TO | IN_ONLYDIR);
  if (folder_watch < 0) return inotify_error("watch", folder_dir);
  std::unique_ptr<DirWatch> watch(new DirWatch(std::move(fd), folder_watch, std::move(changed)));
  watch->event_.reset(event_new(loop.base(), watch->inotify_fd_.get(), EV_READ | EV_PERSIST,
                                &DirWatch::on_readable, watch.get()));
  if (!watch->event_ || event_add(watch->event_.get(), nullptr) != 0)
    return make_error("libevent: cannot watch the inotify descriptor");
  return watch;
}

DirWatch::DirWatch(UniqueFd inotify_fd, int folder_watch, std::function<void()> changed)
    : inotify_fd_(std::move(inotify_fd)),
      folder_watch_(folder_watch),
      changed_(std::move(changed)) {}

DirWatch::~DirWatch() = default;

bool DirWatch::drain() {
  alignas(inotify_event) char buffer[kEventBuffer];
  bool relevant = false;
  while (true) {
    ssize_t n = ::read(inotify_fd_.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return relevant;  // EAGAIN: drained
    for (ssize_t offset = 0; offset < n;) {
      const auto* ev = reinterpret_cast<const inotify_event*>(buffer + offset);
      offset += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
      if (ev->mask & IN_Q_OVERFLOW) relevant = true;
      if (ev->wd != folder_watch_) {
        relevant = true;
      } else if (ev->len > 0 && std::string_view(ev->name) == kIndexName) {
        relevant = true;
      }
    }
  }
}

void DirWatch::on_readable(int, short, void* self) {
  auto* watch = static_cast<DirWatch*>(self);
  if (watch->drain()) watch->changed_();
}

}  // namespace gm::net
