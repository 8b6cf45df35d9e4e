#include "queue_manager.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <cstdio>

#include "core/durable_file.hpp"
#include "core/log.hpp"
#include "core/str.hpp"
#include "mail/queue_file.hpp"
#include "mail/queue_id.hpp"
#include "mail/queue_listing.hpp"

namespace gm::qmgr {
namespace {

using mail::QueueName;

std::vector<std::string> directory_entries(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (!d) return names;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (!name.empty() && name[0] != '.') names.push_back(std::move(name));
  }
  closedir(d);
  return names;
}

bool due(const std::string& path, bool flush) {
  if (flush) return true;
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return false;
  return st.st_mtime <= time(nullptr);
}

}  // namespace

Status recover_queue(mail::QueueStore& store) {
  if (Status s = store.init(); !s) return s;
  auto active = store.list(QueueName::kActive);
  if (!active) return active.error();
  for (const std::string& id : *active) {
    log::notice(str_cat(id, ": was active when qmgr stopped; back to incoming"));
    if (Status s = store.move(id, QueueName::kActive, QueueName::kIncoming, mail::Sync::kDurable); !s) return s;
  }
  if (auto stale = store.remove_stale(std::chrono::hours(24)); stale && *stale > 0)
    log::notice(str_cat("removed ", *stale, " never-committed queue files"));
  return {};
}

size_t collect_maildrop(const std::string& spool_dir) {
  std::string maildrop = str_cat(spool_dir, "/maildrop");
  size_t moved = 0;
  bool changed = false;
  for (const std::string& name : directory_entries(maildrop)) {
    std::string from = str_cat(maildrop, "/", name);
    // Untrusted: written by local users through sendmail; checked whole.
    auto file = mail::QueueFile::open(from, false);
    bool valid = file.ok() && mail::is_valid_queue_id(name) && file->verify_content().ok();
    std::string to = str_cat(spool_dir, "/", valid ? "incoming" : "corrupt", "/", name);
    if (!valid)
      log::warning(str_cat("maildrop/", printable(name, 100), ": ",
                           file.ok() ? "bad name or content" : file.error().message,
                           "; moved to the corrupt queue"));
    if (std::rename(from.c_str(), to.c_str()) != 0) {
      log::error(str_cat("cannot move maildrop/", printable(name, 100)));
      continue;
    }
    changed = true;
    if (valid) ++moved;
  }
  if (changed) {
    (void)core::fsync_directory(str_cat(spool_dir, "/incoming"));
    (void)core::fsync_directory(str_cat(spool_dir, "/corrupt"));
    (void)core::fsync_directory(maildrop);
  }
  return moved;
}

QueueManager::QueueManager(net::EventLoop& loop, QmgrSettings settings)
    : loop_(loop),
      settings_(std::move(settings)),
      store_(mail::make_file_queue_store(settings_.spool_dir)),
      workers_(loop, settings_.concurrency + 1),
      periodic_(loop, [this] {
        scan(false);
        periodic_.start(settings_.queue_run_delay);
      }) {}

void QueueManager::start() {
  scan(false);
  periodic_.start(settings_.queue_run_delay);
}

void QueueManager::trigger(std::string_view what) {
  if (what == "flush") {
    log::info("flush requested: retrying the deferred queue now");
    return scan(true);
  }
  if (what.starts_with("new ")) {
    std::string id(what.substr(4));
    if (mail::is_valid_queue_id(id)) {
      take({std::move(id), QueueName::kIncoming});
      return dispatch();
    }
  }
  scan(false);
}

void QueueManager::list(std::function<void(std::string lines)> done) {
  auto lines = std::make_shared<std::string>();
  std::string spool_dir = settings_.spool_dir;
  workers_.run(
      [lines, spool_dir] {
        if (auto entries = mail::list_all_queues(spool_dir)) {
          for (const mail::QueueListing& entry : *entries)
            *lines += str_cat(mail::encode_listing_line(entry), "\n");
        } else {
          log::error(str_cat("queue listing: ", entries.error().message));
          *lines += str_cat(mail::kListingFailed, " ", printable(entries.error().message), "\n");
        }
        *lines += str_cat(mail::kListingEnd, "\n");
      },
      [lines, done = std::move(done)] { done(std::move(*lines)); });
}

void QueueManager::take(Candidate c) {
  if (!in_flight_.contains(c.id) && waiting_ids_.insert(c.id).second)
    waiting_.push_back(std::move(c));
}

void QueueManager::scan(bool flush) {
  if (scanning_) {
    rescan_ = true;
    rescan_flush_ |= flush;
    return;
  }
  scanning_ = true;
  auto found = std::make_shared<std::vector<Candidate>>();
  mail::QueueStore* store = store_.get();
  std::string spool_dir = settings_.spool_dir;
  workers_.run(
      [found, store, spool_dir, flush] {
        store->trim_recycled();
        collect_maildrop(spool_dir);
        if (auto ids = store->list(QueueName::kIncoming))
          for (auto& id : *ids) found->push_back({id, QueueName::kIncoming});
        if (auto ids = store->list(QueueName::kDeferred))
          for (auto& id : *ids)
            if (due(str_cat(spool_dir, "/deferred/", id), flush))
              found->push_back({id, QueueName::kDeferred});
      },
      [this, found] { scanned(std::move(*found)); });
}

void QueueManager::scanned(std::vector<Candidate> found) {
  scanning_ = false;
  for (Candidate& c : found) take(std::move(c));
  dispatch();
  if (rescan_) {
    bool flush = rescan_flush_;
    rescan_ = rescan_flush_ = false;
    scan(flush);
  }
}

void QueueManager::dispatch() {
  while (in_flight_.size() < settings_.concurrency && !waiting_.empty()) {
    Candidate c = std::move(waiting_.front());
    waiting_.pop_front();
    waiting_ids_.erase(c.id);
    in_flight_.insert(c.id);
    auto result = std::make_shared<AttemptResult>();
    mail::QueueStore* store = store_.get();
    const QmgrSettings* settings = &settings_;
    workers_.run(
        [store, settings, c, result] {
          // Not synced: after a crash recover_queue() sends active/ back to
          // incoming/, so either name leads to the same next attempt.
          if (Status s = store->move(c.id, c.queue, QueueName::kActive, mail::Sync::kLazy); !s) {
            log::debug(str_cat(c.id, ": ", s.error().message));  // gone meanwhile
            return;
          }
          *result = attempt_delivery(*store, *settings, c.id);
        },
        [this, id = c.id, result] {
          in_flight_.erase(id);
          if (result->queued_notification) scan(false);
          dispatch();
        });
  }
}

}  // namespace gm::qmgr
