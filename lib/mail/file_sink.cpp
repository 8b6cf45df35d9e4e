#include "mail/file_sink.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/str.hpp"

namespace gm::mail {

Error storage_error(std::string_view what, const std::string& path) {
  return make_error(str_cat("4.3.1 ", what, ' ', path, ": ", std::strerror(errno)), 452);
}

Result<std::string> pread_up_to(int fd, uint64_t offset, size_t size, const std::string& path) {
  std::string out(size, '\0');
  size_t got = 0;
  while (got < size) {
    ssize_t n = ::pread(fd, out.data() + got, size - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return storage_error("read", path);
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  out.resize(got);
  return out;
}

Result<std::string> pread_exact(int fd, uint64_t offset, size_t size, const std::string& path) {
  auto out = pread_up_to(fd, offset, size, path);
  if (out && out->size() < size) return make_error(str_cat("short read ", path), kShortRead);
  return out;
}

Status pwrite_all(int fd, std::string_view bytes, uint64_t offset, const std::string& path) {
  while (!bytes.empty()) {
    ssize_t n = ::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return storage_error("write", path);
    bytes.remove_prefix(static_cast<size_t>(n));
    offset += static_cast<uint64_t>(n);
  }
  return {};
}

FileSink::FileSink(UniqueFd fd, std::string path, size_t capacity)
    : fd_(std::move(fd)), path_(std::move(path)), capacity_(std::max<size_t>(capacity, 512)) {
  buffer_.reserve(capacity_);
}

Status FileSink::write_through(std::string_view bytes) {
  if (auto status = flush(); !status) return status;
  while (!bytes.empty()) {
    ssize_t n = ::write(fd_.get(), bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return storage_error("write", path_);
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

Status FileSink::flush() {
  std::string_view pending = buffer_;
  while (!pending.empty()) {
    ssize_t n = ::write(fd_.get(), pending.data(), pending.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      buffer_.clear();
      return storage_error("write", path_);
    }
    pending.remove_prefix(static_cast<size_t>(n));
  }
  buffer_.clear();
  return {};
}

Status FileSink::append(std::string_view chunk) {
  while (!chunk.empty()) {
    size_t take = std::min(chunk.size(), capacity_ - buffer_.size());
    buffer_.append(chunk.substr(0, take));
    high_water_ = std::max(high_water_, buffer_.size());
    chunk.remove_prefix(take);
    if (buffer_.size() == capacity_)
      if (auto status = flush(); !status) return status;
  }
  return {};
}

Status FileSink::pwrite_at(std::string_view bytes, uint64_t offset) {
  return pwrite_all(fd_.get(), bytes, offset, path_);
}

Status FileSink::fsync() {
  if (auto status = flush(); !status) return status;
  if (::fsync(fd_.get()) != 0) return storage_error("fsync", path_);
  return {};
}

}  // namespace gm::mail
