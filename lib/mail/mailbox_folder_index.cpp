// MailboxFolder's index files: reading gm-index and the new tail of
// gm-index.log into State::index, and recording each change under the lock
// as one appended log batch, or as a whole new gm-index (compaction).
//
// No fsync for either: both are caches. After a crash gm-index is a
// complete older version (rename is atomic) or unreadable, and the log may
// end in a torn batch that readers ignore; either way cur/ no longer has
// the mtime the surviving state covers, and the rescan gives every change
// a MODSEQ from the clock, above anything handed out before. UIDs are safe
// in gm-uids (synced).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "core/str.hpp"
#include "mail/file_sink.hpp"
#include "mail/mailbox_folder_state.hpp"

namespace gm::mail {
namespace {

enum class LogTail { kNothingNew, kApplied, kReplaced, kCorrupt };

// gm-index into s.index, stamped from the descriptor it was read through.
bool read_index_file(MailboxFolder::State& s) {
  UniqueFd fd(::open(s.index_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) return false;
  FileStamp stamp = stamp_of(fd.get());
  if (stamp.size < 0 || static_cast<uint64_t>(stamp.size) > kMaxIndexFile) return false;
  auto text = pread_up_to(fd.get(), 0, static_cast<size_t>(stamp.size), s.index_path);
  if (!text) return false;
  auto parsed = parse_mailbox_index(*text);
  if (!parsed) return false;
  s.index = std::move(*parsed);
  s.seen_index = stamp;
  s.seen_log = kNotRead;
  s.log_applied = 0;
  s.log_clean = false;
  return true;
}

// Applies what gm-index.log gained since we last looked.
LogTail apply_log_tail(MailboxFolder::State& s) {
  if (stamp_of(s.log_path) == s.seen_log) return LogTail::kNothingNew;
  UniqueFd fd(::open(s.log_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  FileStamp stamp = fd ? stamp_of(fd.get()) : FileStamp{};
  // Another log than the one applied, or cut short: gm-index was rewritten.
  if (s.log_applied > 0 && (stamp.inode != s.seen_log.inode ||
                            stamp.size < static_cast<off_t>(s.log_applied)))
    return LogTail::kReplaced;
  if (!fd) {  // no log: the next writer starts one
    s.seen_log = stamp;
    s.log_clean = true;
    return LogTail::kNothingNew;
  }
  auto size = static_cast<uint64_t>(stamp.size);
  if (size - s.log_applied > kMaxIndexFile) return LogTail::kCorrupt;
  auto text = pread_up_to(fd.get(), s.log_applied, static_cast<size_t>(size - s.log_applied), s.log_path);
  // Unreadable: what it adds is unknown, so neither `index` nor an append
  // at log_applied can be trusted; the caller rebuilds.
  if (!text) return LogTail::kCorrupt;
  s.seen_log = stamp;
  s.log_clean = false;
  std::string_view tail = *text;
  uint64_t start = s.log_applied;
  if (start == 0) {
    auto header = parse_index_log_header(tail);
    // Torn while being created, or left from before the last rewrite.
    if (!header || header->generation != s.index.generation) return LogTail::kNothingNew;
    tail.remove_prefix(header->length);
    start = header->length;
  }
  auto consumed = apply_index_log(tail, s.index);
  if (!consumed) return LogTail::kCorrupt;
  s.log_applied = start + *consumed;
  s.log_clean = s.log_applied == size;
  return *consumed > 0 ? LogTail::kApplied : LogTail::kNothingNew;
}

}  // namespace

IndexLoad MailboxFolder::State::load_index() {
  bool reloaded = false;
  if (stamp_of(index_path) != seen_index || index.uid_validity == 0) {
    if (!read_index_file(*this)) return IndexLoad::kUnusable;
    reloaded = true;
  }
  LogTail tail = apply_log_tail(*this);
  if (tail == LogTail::kReplaced) {
    if (!read_index_file(*this)) return IndexLoad::kUnusable;
    reloaded = true;
    tail = apply_log_tail(*this);
  }
  if (tail == LogTail::kCorrupt || tail == LogTail::kReplaced) {
    seen_index = kNotRead;  // `index` is partly changed: never build on it
    return IndexLoad::kUnusable;
  }
  return reloaded || tail == LogTail::kApplied ? IndexLoad::kLoaded : IndexLoad::kUnchanged;
}

namespace {

// Appends the batch (after a header when the log is new); false when the
// log is due for compaction or cannot be written (the caller compacts).
bool append_log_batch(MailboxFolder::State& s) {
  std::string text = s.log_applied == 0 ? format_index_log_header(s.index.generation) : "";
  text += s.log_batch.commit(s.index);
  uint64_t limit = std::max<uint64_t>(
      kIndexLogCompactFloor,
      static_cast<uint64_t>(std::max<off_t>(s.seen_index.size, 0)) / kIndexLogCompactShare);
  if (s.log_applied + text.size() > limit) return false;
  int flags = O_WRONLY | O_CLOEXEC | O_NOFOLLOW | (s.log_applied == 0 ? O_CREAT | O_EXCL : 0);
  UniqueFd fd(::open(s.log_path.c_str(), flags, 0600));
  if (!fd) return false;
  FileStamp stamp = stamp_of(fd.get());
  if (stamp.size < 0 || static_cast<uint64_t>(stamp.size) != s.log_applied ||
      (s.log_applied > 0 && stamp.inode != s.seen_log.inode))
    return false;
  if (!pwrite_all(fd.get(), text, s.log_applied, s.log_path)) return false;
  s.seen_log = stamp_of(fd.get());
  s.log_applied += text.size();
  return true;
}

Status compact_index(MailboxFolder::State& s) {
  s.rewrite_index = true;  // until gm-index is written
  std::string temp = str_cat(s.index_path, ".tmp.", static_cast<int>(::getpid()));
  UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) return storage_error("create", temp);
  // The log on disk still names the old generation until the rename.
  uint64_t old_generation = s.index.generation;
  s.index.generation = std::max(old_generation + 1, static_cast<uint64_t>(now_ns()));
  Status written = pwrite_all(fd.get(), format_mailbox_index(s.index), 0, temp);
  FileStamp stamp = stamp_of(fd.get());
  fd.reset();
  if (!written || ::rename(temp.c_str(), s.index_path.c_str()) != 0) {
    ::unlink(temp.c_str());
    s.index.generation = old_generation;
    return written ? storage_error("rename", temp) : written;
  }
  s.seen_index = stamp;
  s.rewrite_index = false;
  // A log that stays (unlink failed, or a crash before it) names the old
  // generation: never applied, and the next writer compacts again.
  ::unlink(s.log_path.c_str());
  s.seen_log = stamp_of(s.log_path);
  s.log_applied = 0;
  s.log_clean = s.seen_log.size < 0;
  return {};
}

}  // namespace

Status MailboxFolder::State::write_index() {
  index.uids_size = stamp_of(uids_path).size;
  bool appended = !rewrite_index && log_clean && append_log_batch(*this);
  log_batch.clear();
  return appended ? Status{} : compact_index(*this);
}

}  // namespace gm::mail
