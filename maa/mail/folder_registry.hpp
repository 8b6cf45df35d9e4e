// The folders open in this maa-mail process: one MailboxFolder per folder
// directory, shared by every session that selects it (and by APPEND, COPY
// and STATUS on it), so ten thousand IDLE sessions of a user hold its INBOX
// index once, and a SELECT of an open folder is a sync() (three stats when
// nothing changed) plus taking the current snapshot.
//
// A SharedFolder lives while a session holds it; the registry keeps only
// weak references. IDLE sessions subscribe to it: one DirWatch per folder
// (or one poll timer when inotify is exhausted), one sync() per wake-up,
// then every subscriber is told.
//
// The loop is single-threaded: sessions take turns on the shared folder,
// and a session that finds it synced by another still sees what changed
// when it compares its view with the new snapshot.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>

#include <sys/types.h>

#include "core/result.hpp"
#include "imap_mailbox_view.hpp"
#include "mail/mailbox_folder.hpp"
#include "net/dir_watch.hpp"
#include "net/event_loop.hpp"

namespace gm::maa {

// With no inotify watch left (fs.inotify.max_user_watches), IDLE polls.
inline constexpr std::chrono::milliseconds kIdlePollInterval{1000};

class SharedFolder : public std::enable_shared_from_this<SharedFolder> {
 public:
  SharedFolder(net::EventLoop& loop, std::unique_ptr<mail::MailboxFolder> folder);
  SharedFolder(const SharedFolder&) = delete;
  SharedFolder& operator=(const SharedFolder&) = delete;
  ~SharedFolder();

  mail::MailboxFolder& folder() { return *folder_; }
  // The folder's current records for views: built once per change, shared
  // by every session that asks before the next change.
  SnapshotPtr snapshot();

  // An IDLE subscription: `changed` runs (after this folder's sync()) when
  // the folder may have changed, until the subscription is dropped.
  class Subscription {
   public:
    Subscription(std::shared_ptr<SharedFolder> folder, uint64_t id)
        : folder_(std::move(folder)), id_(id) {}
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;
    ~Subscription() { folder_->unsubscribe(id_); }

   private:
    std::shared_ptr<SharedFolder> folder_;
    uint64_t id_;
  };
  std::unique_ptr<Subscription> subscribe(std::function<void()> changed);
  size_t subscribers() const { return subscribers_.size(); }

 private:
  struct SnapshotKey {
    uint32_t uid_validity = 0, uid_next = 0;
    uint64_t highest_modseq = 0;
    size_t messages = 0;
    bool operator==(const SnapshotKey&) const = default;
  };
  SnapshotKey key() const;
  void start_watching();
  void unsubscribe(uint64_t id);
  void notify();  // sync once, then every subscriber

  net::EventLoop& loop_;
  std::unique_ptr<mail::MailboxFolder> folder_;
  SnapshotPtr snapshot_;
  SnapshotKey snapshot_key_;
  std::map<uint64_t, std::function<void()>> subscribers_;
  uint64_t next_id_ = 1;
  std::unique_ptr<net::DirWatch> watch_;  // while there are subscribers
  std::unique_ptr<net::Timer> poll_;      // instead, when no watch could be added
};

class FolderRegistry {
 public:
  explicit FolderRegistry(net::EventLoop& loop) : loop_(loop) {}
  // The folder at dir: the one already open (synced now), else opened.
  Result<std::shared_ptr<SharedFolder>> open(const std::string& dir);
  size_t open_count() const { return folders_.size(); }

 private:
  struct Entry {
    std::weak_ptr<SharedFolder> folder;
    // The directory it was opened on: a folder renamed or deleted and made
    // again under the same name is another folder.
    dev_t dev = 0;
    ino_t ino = 0;
  };
  net::EventLoop& loop_;
  std::unordered_map<std::string, Entry> folders_;
};

}  // namespace gm::maa
