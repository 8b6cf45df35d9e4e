#include "mail/header_cache.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/str.hpp"
#include "mail/mailbox_filename.hpp"
#include "mail/mime_encoded_word.hpp"
#include "mail/mime_search.hpp"

namespace gm::mail {

namespace {

constexpr size_t kHeaderReadStep = 4096;  // most headers fit in one read
// What a node of the LRU list, its index slot and the shared_ptr cost
// beyond the strings.
constexpr size_t kEntryOverhead = 160;

// Where the header block ends (after its empty line), or npos.
size_t header_end(std::string_view data) {
  if (data.starts_with("\r\n")) return 2;
  if (data.starts_with("\n")) return 1;
  for (size_t at = data.find('\n'); at != std::string_view::npos; at = data.find('\n', at + 1)) {
    if (data.substr(at + 1).starts_with("\r\n")) return at + 3;
    if (data.substr(at + 1).starts_with("\n")) return at + 2;
  }
  return std::string_view::npos;
}

}  // namespace

Result<std::string> read_header_block(int fd, size_t max) {
  std::string data;
  while (true) {
    size_t old = data.size();
    data.resize(old + kHeaderReadStep);
    ssize_t n = ::pread(fd, data.data() + old, kHeaderReadStep, static_cast<off_t>(old));
    if (n < 0 && errno == EINTR) {
      data.resize(old);
      continue;
    }
    if (n < 0) return make_error(std::string("read: ") + std::strerror(errno));
    data.resize(old + static_cast<size_t>(n));
    // Rescanning from the start costs little: the block is at most `max`.
    size_t end = header_end(data);
    if (end != std::string_view::npos) {
      data.resize(end);
      break;
    }
    if (n == 0) break;  // no empty line: the whole message is header
    if (data.size() > max) break;
  }
  if (data.size() > max) return make_error("header block too long to cache");
  return data;
}

CachedHeader CachedHeader::from_block(std::string block) {
  CachedHeader h;
  for (const HeaderField& f : parse_header_block(block)) {
    for (size_t i = 0; i < std::size(kFoldedFields); ++i) {
      if (!iequals(f.name, kFoldedFields[i])) continue;
      std::string value = casefold(decode_encoded_words(f.value));
      std::replace(value.begin(), value.end(), '\0', ' ');  // '\0' ends a value here
      h.folded.push_back(static_cast<char>(i));
      h.folded.append(value);
      h.folded.push_back('\0');
    }
  }
  h.folded.shrink_to_fit();
  h.block = std::move(block);
  h.block.shrink_to_fit();
  return h;
}

bool CachedHeader::contains(std::string_view name, std::string_view folded_needle) const {
  for (size_t i = 0; i < std::size(kFoldedFields); ++i) {
    if (!iequals(name, kFoldedFields[i])) continue;
    std::string_view rest = folded;
    while (!rest.empty()) {
      size_t end = rest.find('\0');
      std::string_view value = rest.substr(1, end - 1);
      if (static_cast<size_t>(rest[0]) == i && value.find(folded_needle) != std::string_view::npos)
        return true;
      rest.remove_prefix(end + 1);
    }
    return false;
  }
  for (const HeaderField& f : fields()) {
    if (iequals(f.name, name) &&
        casefold(decode_encoded_words(f.value)).find(folded_needle) != std::string::npos)
      return true;
  }
  return false;
}

std::shared_ptr<const CachedHeader> HeaderCache::get(const MailboxFolder& folder,
                                                     const MessageRecord& record, bool* read_file) {
  std::string_view basename = parse_maildir_name(record.filename).basename;
  {
    std::lock_guard lock(mutex_);
    auto f = folders_.find(folder.dir());
    if (f != folders_.end()) {
      auto it = f->second.find(record.uid);
      if (it != f->second.end() && it->second->basename == basename) {
        ++stats_.hits;
        lru_.splice(lru_.begin(), lru_, it->second);
        return it->second->header;
      }
    }
    ++stats_.misses;
  }
  if (read_file != nullptr) *read_file = true;
  // Outside the lock: the disk read is the slow part. Two sessions missing
  // the same message at once both read it; the second insert replaces the first.
  auto fd = folder.open_message(record.uid);
  if (!fd) return nullptr;
  auto block = read_header_block(fd->get(), kMaxCachedHeaderBlock);
  if (!block) return nullptr;
  auto header = std::make_shared<const CachedHeader>(CachedHeader::from_block(std::move(*block)));
  insert(folder.dir(), record.uid, basename, header);
  return header;
}

void HeaderCache::erase(Lru::iterator entry) {
  auto f = folders_.find(*entry->dir);
  f->second.erase(entry->uid);
  stats_.bytes -= entry->bytes;
  lru_.erase(entry);
  if (f->second.empty()) folders_.erase(f);
}

void HeaderCache::insert(const std::string& dir, uint32_t uid, std::string_view basename,
                         std::shared_ptr<const CachedHeader> header) {
  std::lock_guard lock(mutex_);
  size_t bytes = header->bytes() + basename.size() + kEntryOverhead;
  if (bytes > max_bytes_) return;
  if (auto f = folders_.find(dir); f != folders_.end()) {
    if (auto it = f->second.find(uid); it != f->second.end()) erase(it->second);
  }
  while (!lru_.empty() && stats_.bytes + bytes > max_bytes_) {
    erase(std::prev(lru_.end()));
    ++stats_.evictions;
  }
  auto [slot, created] = folders_.try_emplace(dir);
  lru_.push_front(Entry{&slot->first, uid, std::string(basename), std::move(header), bytes});
  slot->second[uid] = lru_.begin();
  stats_.bytes += bytes;
}

HeaderCache::Stats HeaderCache::stats() const {
  std::lock_guard lock(mutex_);
  Stats s = stats_;
  s.entries = lru_.size();
  return s;
}

}  // namespace gm::mail
