// A file being written through a bounded buffer: message content arrives in
// chunks of any size and reaches the disk in writes of at most `capacity`
// bytes, so a 50 MB message never costs 50 MB of memory (STYLE.md: stream,
// never slurp). Used by the queue writer and the Maildir writer.
// Errors carry 452 "4.3.1 ..." (disk full and the like are temporary).
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/unique_fd.hpp"

namespace gm::mail {

class FileSink {
 public:
  FileSink(UniqueFd fd, std::string path, size_t capacity);

  Status append(std::string_view chunk);         // may write when the buffer fills
  Status write_through(std::string_view bytes);  // flushes, then writes unbuffered
  Status flush();
  Status pwrite_at(std::string_view bytes, uint64_t offset);
  Status fsync();  // flush + fsync

  int fd() const { return fd_.get(); }
  void close() { fd_.reset(); }
  const std::string& path() const { return path_; }
  size_t high_water() const { return high_water_; }  // largest buffer held

 private:
  UniqueFd fd_;
  std::string path_;
  std::string buffer_;
  size_t capacity_;
  size_t high_water_ = 0;
};

// 452 4.3.1 "<what> <path>: <strerror(errno)>"
Error storage_error(std::string_view what, const std::string& path);
// pwrite() all of `bytes` at `offset`, retrying short writes.
Status pwrite_all(int fd, std::string_view bytes, uint64_t offset, const std::string& path);
// pread() up to `size` bytes at `offset`: fewer only where the file ends.
// A failed read is a storage_error (452).
Result<std::string> pread_up_to(int fd, uint64_t offset, size_t size, const std::string& path);
// pread() exactly `size` bytes at `offset`; a file that ends first is an
// error with code kShortRead.
inline constexpr int kShortRead = 1;
Result<std::string> pread_exact(int fd, uint64_t offset, size_t size, const std::string& path);

}  // namespace gm::mail
