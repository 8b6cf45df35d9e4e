// MailboxFolder's private state, shared by mailbox_folder.cpp (open, sync,
// store, expunge) and mailbox_append.cpp (append, copy). Not for callers.
#pragma once

#include <sys/types.h>

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <span>

#include "core/unique_fd.hpp"
#include "mail/mailbox_folder.hpp"
#include "mail/mailbox_index.hpp"
#include "mail/mailbox_index_log.hpp"

namespace gm::mail {

// A directory mtime younger than this is not trusted to cover what a scan
// saw: the kernel's coarse timestamps let a delivery in the same tick go
// unnoticed (the classic Maildir race), so such a directory is rescanned.
inline constexpr int64_t kMtimeSettleNs = 1'000'000'000;
// gm-uids is compacted only beyond this size (and when mostly expunged lines).
inline constexpr off_t kUidListCompactAt = 64 << 10;

struct FileStamp {
  int64_t mtime_ns = -1;
  ino_t inode = 0;
  off_t size = -1;
  bool operator==(const FileStamp&) const = default;
};

FileStamp stamp_of(const std::string& path);
FileStamp stamp_of(int fd);
// Never equal to a file's stamp (a missing file's is FileStamp{}): "read it".
inline constexpr FileStamp kNotRead{-2, 0, -2};
// The first MODSEQ after a rebuild or a rescan of cur/: microseconds since
// the epoch, above any value handed out before (each change adds 1 and
// takes far longer than a microsecond), even by an index lost in a crash.
uint64_t modseq_floor(uint64_t known_highest);
int64_t now_ns();

// A message file found in cur/ or new/ that the index does not know yet.
struct NewFile {
  std::string filename;  // under cur/
  uint64_t size = 0;
  int64_t internal_date = 0;
};

// Held while the folder's files are changed; blocks until other writers
// (any process) are done.
class FolderLock {
 public:
  static Result<FolderLock> take(int lock_fd);
  FolderLock(FolderLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FolderLock& operator=(FolderLock&&) = delete;
  ~FolderLock();

 private:
  explicit FolderLock(int fd) : fd_(fd) {}
  int fd_;
};

// What State::load_index() found: gm-index and gm-index.log as last seen,
// newer (now applied), or unreadable / not fitting (rebuild).
enum class IndexLoad { kUnchanged, kLoaded, kUnusable };

struct MailboxFolder::State {
  std::string dir, cur_dir, new_dir, index_path, log_path, uids_path, keywords_path, quota_root;
  UniqueFd lock_fd, cur_fd, new_fd;
  MailboxIndex index;  // messages in ascending UID order
  std::vector<std::string> keywords;
  FileStamp seen_index = kNotRead;  // gm-index as this object last read or wrote it
  // gm-index.log (mailbox_index_log.hpp) as last read or written, the bytes
  // of it that `index` reflects (0: none; no log, or not this generation's),
  // and whether it ends there with our generation (a writer may append).
  FileStamp seen_log = kNotRead;
  uint64_t log_applied = 0;
  bool log_clean = false;
  // The changes made under the current lock, for write_index(); and whether
  // gm-index must be rewritten instead (a rebuild, or a change not recorded).
  IndexLogBatch log_batch;
  bool rewrite_index = false;
  // The view the session was last told about: (uid, modseq) ascending, and
  // its UIDVALIDITY. sync() reports the difference to the current index;
  // our own changes update it too, so they are never reported back.
  std::vector<std::pair<uint32_t, uint64_t>> reported;
  uint32_t reported_validity = 0;
  bool unreported = false;    // an internal refresh found others' changes
  uint64_t batch_modseq = 0;  // the MODSEQ of the change being made, 0 = none yet
  // UIDs from gm-uids during a rebuild (basename -> uid), else empty.
  std::unordered_map<std::string, uint32_t> rebuild_uids;

  bool clock_modseq = false;  // a rescan: changes get modseq_floor()
  uint64_t modseq_for_change() {
    if (batch_modseq == 0)
      batch_modseq = index.highest_modseq =
          clock_modseq ? modseq_floor(index.highest_modseq) : index.highest_modseq + 1;
    return batch_modseq;
  }
  MessageRecord* find(uint32_t uid);
  // Under the lock: reload gm-index if another process rewrote it (rebuild
  // when it is missing or corrupt), pick up deliveries in new/ and foreign
  // changes in cur/, write gm-index when anything changed.
  Status refresh_locked();
  // Takes the lock and refreshes: how every writer starts.
  Result<FolderLock> lock_and_refresh();
  // Under the lock, after refresh_locked(): gives UIDs to files this
  // session put into cur/ itself (append, copy) and records them as reported.
  Result<std::vector<uint32_t>> add_own_messages(std::vector<NewFile> files);
  // Under the lock: assigns UIDs (gm-uids first, then the index) to files
  // already in cur/, in the order given; returns how many got a new UID.
  Status assign_uids(std::vector<NewFile>& files, std::vector<uint32_t>& uids);
  // Under the lock: letters for keyword names, adding new names to
  // dovecot-keywords. Error when all 26 letters are taken or a name is bad.
  Result<uint32_t> keyword_bits_for(std::span<const std::string> names);
  // Records the changes in log_batch (mailbox_folder_index.cpp): appends
  // them to gm-index.log, or rewrites gm-index and drops the log (after a
  // rebuild, when the log is not clean or would grow past the threshold).
  Status write_index();
  // gm-index and the new part of gm-index.log into `index`, when changed.
  IndexLoad load_index();
  // Whether cur/ still has the mtime the index covers (then our own renames
  // keep it covered: every gm writer holds the lock).
  bool cur_covered() const;
  void cover_cur_after_own_change(bool was_covered);
  void report_own_change(uint32_t uid, uint64_t modseq);
  // Rewrites gm-uids without expunged lines once they dominate it.
  Status compact_uid_list();
  // Whether nothing can have changed since the last look (stats only).
  bool up_to_date() const;
  // The difference between `reported` and the index; `reported` catches up.
  MailboxFolder::Changes take_changes();
};

}  // namespace gm::mail
