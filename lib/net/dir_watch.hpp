// Tells an event loop when a Maildir folder changes, for IMAP IDLE (RFC 2177)
// and NOTIFY-like pushes: inotify watches on the folder's new/ and cur/
// (deliveries, flag renames, expunges by any process) and on the folder
// directory itself for a new gm-index (another session's change). The
// callback runs on the loop thread once per batch of inotify events; it
// should call MailboxFolder::sync() (a worker may be needed: sync() touches
// the disk). Events are coalesced: several changes may yield one call, and
// a call may come for changes this session made itself.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/result.hpp"
#include "core/unique_fd.hpp"
#include "net/event_loop.hpp"

namespace gm::net {

class DirWatch {
 public:
  // Watches folder_dir/new, folder_dir/cur and folder_dir (gm-index only).
  static Result<std::unique_ptr<DirWatch>> start(EventLoop& loop, const std::string& folder_dir,
                                                 std::function<void()> changed);
  DirWatch(const DirWatch&) = delete;
  DirWatch& operator=(const DirWatch&) = delete;
  ~DirWatch();

 private:
  DirWatch(UniqueFd inotify_fd, int folder_watch, std::function<void()> changed);
  static void on_readable(int fd, short, void* self);
  bool drain();  // reads all pending events; true if any concerns the folder

  UniqueFd inotify_fd_;
  int folder_watch_;  // the folder directory's watch: only gm-index counts there
  std::function<void()> changed_;
  EventPtr event_;
};

}  // namespace gm::net
