// One open IMAP/POP3 folder over a Maildir++ folder directory (the user's
// root for INBOX, root/.Name for the others), with a rebuildable index.
//
// On disk, next to cur/ new/ tmp/ (files other Maildir readers ignore):
//   gm-uids           the UID list: "GMUIDS 1 <uidvalidity> <uidnext>" then
//                     "<uid> <basename>" lines (basename: the file name before
//                     ":2,"). Authoritative for UIDs; appended under the lock.
//   gm-index          a cache: every message's uid, modseq, internal date,
//                     size and file name, HIGHESTMODSEQ, the bounded list of
//                     recently expunged UIDs and the directory mtimes it
//                     covers. Replaced whole (temp + rename; no fsync: a cache)
//                     only after a rebuild or to compact gm-index.log.
//   gm-index.log      a cache too: the changes since gm-index was written
//                     (new message, flags, expunge, then the state they lead
//                     to), appended under the lock, CRC-checked per record,
//                     naming the gm-index generation it continues
//                     (mailbox_index_log.hpp). Other sessions apply only what
//                     was appended since they last looked; a torn tail is
//                     ignored, a log from before a rewrite never applied, a
//                     damaged one means a rebuild as for gm-index.
//   gm-lock           flock(LOCK_EX) by every writer (any process), so two
//                     sessions never hand out the same UID.
//   dovecot-keywords  keyword names, one per letter a-z (Dovecot's format:
//                     "<index> <name>", index 0 = letter 'a').
// Flags live in the file name (Maildir ":2,<letters>": D F P R S T, with
// \Deleted = T; keywords as lower-case letters), so mutt, Dovecot and the
// others see the same flags.
//
// Index lost: rebuilt from cur/ + new/ keeping every UID gm-uids knows.
// gm-uids lost but gm-index valid: gm-uids is rebuilt from the index. Both
// lost: a new UIDVALIDITY (never the old one), UIDs from 1. After a
// rebuild, and for changes found by a rescan of cur/ (other programs, or an
// index that a crash rolled back), the MODSEQ jumps to max(HIGHESTMODSEQ + 1,
// microseconds since the epoch), above any value handed out before; each
// later change adds 1. So CONDSTORE clients never miss a change.
//
// Every call may block on the disk (readdir, rename, fsync): call from a
// worker or a per-session process, not from a shared event-loop thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/unique_fd.hpp"

namespace gm::mail {

// System flags stored in the Maildir name. \Recent is not stored (IMAP4rev2
// dropped it; an IMAP4rev1 session may derive it on its own).
enum Flag : uint8_t { kSeen = 1, kAnswered = 2, kFlagged = 4, kDeleted = 8, kDraft = 16 };
inline constexpr uint8_t kAllFlags = kSeen | kAnswered | kFlagged | kDeleted | kDraft;

// dovecot-keywords maps keywords to the 26 letters a-z.
inline constexpr size_t kMaxKeywords = 26;
inline constexpr size_t kMaxKeywordLength = 100;
// Expunged UIDs remembered for QRESYNC's VANISHED (EARLIER) (RFC 7162 3.2.10).
inline constexpr size_t kMaxExpungedKept = 10000;
// Refuse index files larger than this (a corrupt or hostile file).
inline constexpr size_t kMaxIndexFile = 256u << 20;

struct MessageRecord {
  uint32_t uid = 0;
  uint64_t modseq = 0;
  uint64_t size = 0;          // RFC822.SIZE: octets of the stored file (stored with CRLF)
  int64_t internal_date = 0;  // seconds since the epoch (the file's mtime)
  uint8_t flags = 0;          // Flag bits
  uint32_t keyword_bits = 0;  // bit i = keyword letter 'a'+i, see keyword_names()
  std::string filename;       // under cur/, e.g. "1700000000.M1P2Q3.host,S=120:2,S"
};

struct ExpungedRecord {
  uint32_t uid;
  uint64_t modseq;
};

// How to change flags in store(); the IMAP engine maps STORE FLAGS/+FLAGS/-FLAGS.
enum class StoreMode : uint8_t { kReplace, kAdd, kRemove };

class MailboxFolder {
 public:
  // Opens (and creates the cur/ new/ tmp/ subdirectories if missing) and
  // syncs the folder once. Builds the index when it is missing or corrupt.
  static Result<std::unique_ptr<MailboxFolder>> open(const std::string& folder_dir);
  ~MailboxFolder();
  MailboxFolder(const MailboxFolder&) = delete;
  MailboxFolder& operator=(const MailboxFolder&) = delete;

  const std::string& dir() const { return dir_; }
  uint32_t uid_validity() const;
  uint32_t uid_next() const;
  uint64_t highest_modseq() const;

  // Ascending UID, which is also sequence-number order (seq n = messages()[n-1]).
  // Valid until the next non-const call.
  std::span<const MessageRecord> messages() const;
  // nullptr when the UID is not (or no longer) in this view.
  const MessageRecord* find(uint32_t uid) const;

  // What other sessions, mda or other Maildir programs changed since the
  // last sync() / open(). Changes made through this object are not
  // reported back. The engine keeps its own sequence-number view and
  // applies these when IMAP allows untagged EXPUNGE/FETCH.
  struct Changes {
    std::vector<uint32_t> expunged;       // ascending UIDs, gone from messages()
    size_t added = 0;                     // new messages, at the end of messages()
    std::vector<uint32_t> flags_changed;  // ascending UIDs whose flags/keywords/modseq changed
    bool uid_validity_changed = false;    // the folder was rebuilt: the client must resync
    bool empty() const { return expunged.empty() && added == 0 && flags_changed.empty(); }
  };
  // Cheap when nothing changed: stats new/, cur/, gm-index and gm-index.log
  // only; otherwise reads just the new tail of gm-index.log when it can.
  Result<Changes> sync();

  // Sets, adds or removes flags and keywords on each UID (one MODSEQ for
  // the whole call; messages whose flags do not change keep their MODSEQ).
  // New keyword names get a letter in dovecot-keywords (error when all 26
  // are taken or a name is not an IMAP atom). With unchanged_since
  // (RFC 7162 UNCHANGEDSINCE), messages whose MODSEQ is greater are left
  // alone and returned. UIDs not in the folder are ignored.
  Result<std::vector<uint32_t>> store(std::span<const uint32_t> uids, StoreMode mode, uint8_t flags,
                                      std::span<const std::string> keywords,
                                      std::optional<uint64_t> unchanged_since = std::nullopt);

  // IMAP APPEND, streamed: begin_append() opens a file under tmp/; write()
  // the literal as it arrives; commit_append() fsyncs it, links it into cur/
  // with its flags, sets its mtime to internal_date (0 = now), fsyncs cur/
  // and returns the new UID (RFC 4315 APPENDUID). A dropped Append
  // removes its temporary file.
  class Append {
   public:
    Append(Append&&) noexcept;
    Append& operator=(Append&&) = delete;
    ~Append();
    Status write(std::string_view chunk);
    uint64_t size() const { return size_; }

   private:
    friend class MailboxFolder;
    Append(UniqueFd fd, std::string temp_path, std::string basename);
    UniqueFd fd_;
    std::string temp_path_, basename_;
    uint64_t size_ = 0;
  };
  Result<Append> begin_append();
  Result<uint32_t> commit_append(Append&& message, uint8_t flags,
                                 std::span<const std::string> keywords, int64_t internal_date);
  // The whole message at once (tests, small messages).
  Result<uint32_t> append(std::string_view content, uint8_t flags = 0,
                          std::span<const std::string> keywords = {}, int64_t internal_date = 0);

  // IMAP COPY: hard-links (or copies across file systems) each message into
  // dest with the same flags, keywords and internal date. Returns the new
  // UIDs in the order of `uids` (RFC 4315 COPYUID); UIDs not found are skipped.
  Result<std::vector<uint32_t>> copy_to(MailboxFolder& dest, std::span<const uint32_t> uids);

  // Removes the messages (unlink) and remembers their UIDs with a new
  // MODSEQ for vanished_since(). UIDs not in the folder are ignored.
  Status expunge(std::span<const uint32_t> uids);
  // UIDs expunged with a MODSEQ above `modseq` (RFC 7162 VANISHED (EARLIER)),
  // or nullopt when the bounded list no longer reaches back that far (the
  // engine then reports every UID the client named that does not exist).
  std::optional<std::vector<ExpungedRecord>> vanished_since(uint64_t modseq) const;

  // The message file for FETCH / POP3 RETR (O_RDONLY). A file renamed by
  // another session meanwhile is found again by its basename.
  Result<UniqueFd> open_message(uint32_t uid) const;
  std::string path_of(uint32_t uid) const;  // "" when unknown

  // Keyword names by letter index (for FLAGS / PERMANENTFLAGS and for
  // turning keyword_bits into names).
  const std::vector<std::string>& keyword_names() const;
  std::vector<std::string> keywords_of(const MessageRecord& message) const;

  struct State;  // implementation detail (mailbox_folder_state.hpp)

 private:
  explicit MailboxFolder(std::string dir);

  std::string dir_;
  std::unique_ptr<State> state_;
};

}  // namespace gm::mail
