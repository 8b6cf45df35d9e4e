// Tells an event loop when a Maildir folder changes, for IMAP IDLE (RFC 2177)
// and NOTIFY-like pushes: inotify watches on the folder's new/ and cur/
// (deliveries, flag renames, expunges by any process) and on the folder
// directory itself for a new gm-index (another session's change). The
// callback runs on the loop thread once per batch of inotify events; it
// should call MailboxFolder::sync() (a worker may be needed: sync() touches
// the disk). Events are coalesced: several changes may yield one call, and
// a call may come for changes this session made itself.
//
// All DirWatches of one EventLoop share ONE inotify instance (the default
// fs.inotify.max_user_instances is 128, far below the IDLE session count);
// each directory's watch is refcounted and its events go to every
// subscriber. start() fails only when no watch can be added (e.g.
// fs.inotify.max_user_watches): the caller may then poll.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "net/event_loop.hpp"

namespace gm::net {

class InotifyHub;  // dir_watch.cpp: the loop's shared inotify instance

class DirWatch {
 public:
  // Watches folder_dir/new, folder_dir/cur and folder_dir (gm-index only).
  static Result<std::unique_ptr<DirWatch>> start(EventLoop& loop, const std::string& folder_dir,
                                                 std::function<void()> changed);
  DirWatch(const DirWatch&) = delete;
  DirWatch& operator=(const DirWatch&) = delete;
  ~DirWatch();

 private:
  DirWatch(std::shared_ptr<InotifyHub> hub, uint64_t id);

  std::shared_ptr<InotifyHub> hub_;
  uint64_t id_;  // the subscriber in hub_
};

}  // namespace gm::net
