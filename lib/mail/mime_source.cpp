#include "mail/mime_source.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "core/str.hpp"

namespace gm::mail {

Result<MessageSource> MessageSource::file(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return make_error(str_cat("fstat: ", std::strerror(errno)));
  return MessageSource(fd, {}, static_cast<uint64_t>(st.st_size));
}

MessageSource MessageSource::memory(std::string_view bytes) {
  return MessageSource(-1, bytes, bytes.size());
}

Result<size_t> MessageSource::read_at(uint64_t offset, std::span<char> out) const {
  if (offset >= size_ || out.empty()) return size_t{0};
  size_t want = static_cast<size_t>(std::min<uint64_t>(out.size(), size_ - offset));
  if (fd_ < 0) {
    std::memcpy(out.data(), bytes_.data() + offset, want);
    return want;
  }
  for (;;) {
    ssize_t n = ::pread(fd_, out.data(), want, static_cast<off_t>(offset));
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR) return make_error(str_cat("read message: ", std::strerror(errno)));
  }
}

Result<std::string> MessageSource::read_range(uint64_t offset, uint64_t length, size_t max) const {
  if (offset >= size_) return std::string();
  length = std::min(length, size_ - offset);
  if (length > max) return make_error("message range too large");
  std::string out(static_cast<size_t>(length), '\0');
  size_t done = 0;
  while (done < out.size()) {
    auto n = read_at(offset + done, std::span<char>(out.data() + done, out.size() - done));
    if (!n) return n.error();
    if (*n == 0) break;  // the file shrank under us
    done += *n;
  }
  out.resize(done);
  return out;
}

Status MessageSource::stream_range(uint64_t offset, uint64_t length,
                                   const std::function<Status(std::string_view)>& sink) const {
  if (offset >= size_) return {};
  uint64_t end = offset + std::min(length, size_ - offset);
  std::vector<char> buffer(static_cast<size_t>(std::min<uint64_t>(kMimeReadChunk, end - offset)));
  while (offset < end) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(buffer.size(), end - offset));
    auto n = read_at(offset, std::span<char>(buffer.data(), want));
    if (!n) return n.error();
    if (*n == 0) return make_error("message file shrank while reading");
    if (Status s = sink(std::string_view(buffer.data(), *n)); !s) return s;
    offset += *n;
  }
  return {};
}

}  // namespace gm::mail
