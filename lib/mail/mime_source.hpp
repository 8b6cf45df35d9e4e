// The bytes of one stored message, read at any offset through a bounded
// buffer (STYLE.md: stream, never slurp): a Maildir file (pread) or, for
// tests and in-memory messages, a string. Offsets and sizes are those of the
// stored bytes; the suite stores messages with CRLF line ends (mda, APPEND),
// so they are the RFC 9051 sizes as well.
// Reading a file blocks on the disk: call from a worker or a process that may block.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace gm::mail {

inline constexpr size_t kMimeReadChunk = 64 * 1024;  // one read; the most a reader buffers

class MessageSource {
 public:
  // A file the caller keeps open for the source's lifetime; size from fstat.
  static Result<MessageSource> file(int fd);
  // Bytes the caller keeps alive for the source's lifetime.
  static MessageSource memory(std::string_view bytes);

  uint64_t size() const { return size_; }
  // Up to out.size() bytes at offset; 0 at or past the end.
  Result<size_t> read_at(uint64_t offset, std::span<char> out) const;
  // [offset, offset + length) clipped to the end; refuses a result over max bytes.
  Result<std::string> read_range(uint64_t offset, uint64_t length, size_t max) const;
  // Hands [offset, offset + length) (clipped) to sink in chunks of at most
  // kMimeReadChunk bytes; stops at the first failing sink call.
  Status stream_range(uint64_t offset, uint64_t length,
                      const std::function<Status(std::string_view)>& sink) const;

 private:
  MessageSource(int fd, std::string_view bytes, uint64_t size)
      : fd_(fd), bytes_(bytes), size_(size) {}

  int fd_ = -1;
  std::string_view bytes_;
  uint64_t size_ = 0;
};

}  // namespace gm::mail
