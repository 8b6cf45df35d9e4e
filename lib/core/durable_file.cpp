#include "core/durable_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/str.hpp"
#include "core/unique_fd.hpp"

namespace gm::core {
namespace {

Error errno_error(std::string_view what, const std::string& path) {
  return make_error(str_cat(what, " ", path, ": ", std::strerror(errno)));
}

Status write_all(int fd, std::string_view content, const std::string& path) {
  while (!content.empty()) {
    ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_error("write", path);
    content.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

}  // namespace

std::string parent_directory(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status fsync_directory(const std::string& directory) {
  UniqueFd fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return errno_error("open", directory);
  if (::fsync(fd.get()) != 0) return errno_error("fsync", directory);
  return {};
}

Status write_file_durably(const std::string& path, std::string_view content, mode_t mode) {
  std::string temp = str_cat(path, ".tmp.", static_cast<int>(getpid()));
  UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode));
  if (!fd) return errno_error("create", temp);
  if (::fchmod(fd.get(), mode) != 0) return errno_error("chmod", temp);
  if (auto status = write_all(fd.get(), content, temp); !status) {
    ::unlink(temp.c_str());
    return status;
  }
  if (::fsync(fd.get()) != 0) {
    Error error = errno_error("fsync", temp);
    ::unlink(temp.c_str());
    return error;
  }
  fd.reset();
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    Error error = errno_error("rename", temp);
    ::unlink(temp.c_str());
    return error;
  }
  return fsync_directory(parent_directory(path));
}

Result<std::string> read_file(const std::string& path, size_t max_size) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return errno_error("open", path);
  std::string out;
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_error("read", path);
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_size)
      return make_error(str_cat(path, ": larger than ", max_size, " bytes"));
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Status make_directories(const std::string& path, mode_t mode) {
  if (path.empty()) return make_error("empty directory path");
  std::string partial;
  for (const std::string& part : split(path, "/")) {
    partial += "/" + part;
    if (path.front() != '/' && partial.size() == part.size() + 1) partial = part;
    if (::mkdir(partial.c_str(), mode) != 0 && errno != EEXIST) return errno_error("mkdir", partial);
  }
  return {};
}

}  // namespace gm::core
