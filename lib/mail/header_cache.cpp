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
// What a node of the LRU list and the index cost beyond the strings.
constexpr size_t kEntryOverhead = 128;

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

CachedHeader CachedHeader::from_block(std::string_view block) {
  CachedHeader h;
  h.fields = parse_header_block(block);
  h.folded.reserve(h.fields.size());
  for (const HeaderField& f : h.fields) h.folded.push_back(casefold(decode_encoded_words(f.value)));
  return h;
}

const std::string* CachedHeader::value(std::string_view name) const {
  const HeaderField* f = find_field(fields, name);
  return f == nullptr ? nullptr : &f->value;
}

bool CachedHeader::contains(std::string_view name, std::string_view folded_needle) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (!iequals(fields[i].name, name)) continue;
    if (folded[i].find(folded_needle) != std::string::npos) return true;
  }
  return false;
}

size_t CachedHeader::bytes() const {
  size_t n = sizeof(CachedHeader) + fields.capacity() * sizeof(HeaderField) +
             folded.capacity() * sizeof(std::string);
  for (const HeaderField& f : fields) n += f.name.capacity() + f.value.capacity();
  for (const std::string& s : folded) n += s.capacity();
  return n;
}

std::shared_ptr<const CachedHeader> HeaderCache::get(const MailboxFolder& folder,
                                                     const MessageRecord& record, bool* read_file) {
  std::string key =
      str_cat(folder.dir(), '\0', record.uid, '\0', parse_maildir_name(record.filename).basename);
  {
    std::lock_guard lock(mutex_);
    auto it = index_.find(key);
    if (it != index_.end()) {
      ++stats_.hits;
      lru_.splice(lru_.begin(), lru_, it->second);
      return it->second->header;
    }
    ++stats_.misses;
  }
  if (read_file != nullptr) *read_file = true;
  // Outside the lock: the disk read is the slow part. Two sessions missing
  // the same message at once both read it; the second insert is dropped.
  auto fd = folder.open_message(record.uid);
  if (!fd) return nullptr;
  auto block = read_header_block(fd->get(), kMaxCachedHeaderBlock);
  if (!block) return nullptr;
  auto header = std::make_shared<const CachedHeader>(CachedHeader::from_block(*block));
  insert(std::move(key), header);
  return header;
}

void HeaderCache::insert(std::string key, std::shared_ptr<const CachedHeader> header) {
  std::lock_guard lock(mutex_);
  if (index_.contains(key)) return;
  size_t bytes = header->bytes() + key.capacity() + kEntryOverhead;
  if (bytes > max_bytes_) return;
  while (!lru_.empty() && stats_.bytes + bytes > max_bytes_) {
    stats_.bytes -= lru_.back().bytes;
    index_.erase(lru_.back().key);
    lru_.pop_back();
    ++stats_.evictions;
  }
  lru_.push_front(Entry{std::move(key), std::move(header), bytes});
  index_.emplace(lru_.front().key, lru_.begin());
  stats_.bytes += bytes;
  stats_.entries = lru_.size();
}

HeaderCache::Stats HeaderCache::stats() const {
  std::lock_guard lock(mutex_);
  Stats s = stats_;
  s.entries = lru_.size();
  return s;
}

}  // namespace gm::mail
