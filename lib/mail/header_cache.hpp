// The header fields of messages, kept for every session of a process
// (Dovecot's dovecot.index.cache plays this part): SEARCH FROM/TO/CC/BCC/
// SUBJECT/HEADER and SENTBEFORE/SENTON/SENTSINCE answered without opening
// the message file again, with the field values already decoded (RFC 2047)
// and case-folded once, not on every search.
//
// Keyed by folder directory, UID and the Maildir basename (the file name
// before ":2,": flag changes rename the file but keep it). A Maildir
// message file never changes its content, so an entry can never be stale;
// an expunged message's entry simply ages out.
//
// Bounded: the entries' bytes stay under the byte limit given at
// construction (kHeaderCacheBytes in maa-mail); the least recently used go
// first. A header block over kMaxCachedHeaderBlock is not cached (the
// caller reads the file as before). Thread-safe (one mutex).
// Filling reads the message file and blocks on the disk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "mail/mailbox_folder.hpp"
#include "mail/mime_header.hpp"

namespace gm::mail {

inline constexpr size_t kHeaderCacheBytes = 64u << 20;      // per process
inline constexpr size_t kMaxCachedHeaderBlock = 32 * 1024;  // larger headers: read the file

// One message's own header (not its parts'), kept compact: 4 users with
// 10,000 messages each fit in kHeaderCacheBytes.
struct CachedHeader {
  std::string block;  // the header block as stored, up to its empty line
  // From, To, Cc, Bcc and Subject decoded and case-folded: per field one
  // byte (its index in kFoldedFields), the value, then '\0'.
  std::string folded;

  static constexpr std::string_view kFoldedFields[] = {"From", "To", "Cc", "Bcc", "Subject"};

  static CachedHeader from_block(std::string block);
  std::vector<HeaderField> fields() const { return parse_header_block(block); }
  // Whether a field called name has a decoded value containing the folded
  // needle (casefold() of it); an empty needle matches an existing field.
  // Fields other than kFoldedFields are decoded and folded on each call.
  bool contains(std::string_view name, std::string_view folded_needle) const;
  size_t bytes() const { return sizeof(CachedHeader) + block.capacity() + folded.capacity(); }
};

class HeaderCache {
 public:
  explicit HeaderCache(size_t max_bytes = kHeaderCacheBytes) : max_bytes_(max_bytes) {}
  HeaderCache(const HeaderCache&) = delete;
  HeaderCache& operator=(const HeaderCache&) = delete;

  // The message's header, read from its file on the first call; nullptr
  // when the file cannot be read or its header is over kMaxCachedHeaderBlock.
  // *read_file (when given) says whether the file was opened.
  std::shared_ptr<const CachedHeader> get(const MailboxFolder& folder, const MessageRecord& record,
                                          bool* read_file = nullptr);

  struct Stats {
    uint64_t hits = 0, misses = 0, evictions = 0;
    size_t entries = 0, bytes = 0;
  };
  Stats stats() const;

 private:
  struct Entry {
    const std::string* dir;  // the key of its folders_ slot
    uint32_t uid;
    std::string basename;
    std::shared_ptr<const CachedHeader> header;
    size_t bytes;
  };
  using Lru = std::list<Entry>;  // most recently used first
  using Folder = std::unordered_map<uint32_t, Lru::iterator>;

  void insert(const std::string& dir, uint32_t uid, std::string_view basename,
              std::shared_ptr<const CachedHeader> header);
  void erase(Lru::iterator entry);

  const size_t max_bytes_;
  mutable std::mutex mutex_;
  Lru lru_;
  std::unordered_map<std::string, Folder> folders_;  // by folder directory
  Stats stats_;
};

// The header block of a message (up to and including the empty line that
// ends it, or the whole message when it has none), read in small pieces;
// an error when it is longer than max.
Result<std::string> read_header_block(int fd, size_t max);

}  // namespace gm::mail
