#include "master/daemonize.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/durable_file.hpp"
#include "core/str.hpp"

namespace gm::master {
namespace {

constexpr char kReady = 'R';
constexpr size_t kMaxFailure = 1024;

// The starting process: wait for the daemon's word, then exit with it.
[[noreturn]] void wait_for_daemon(int notify, pid_t first_child) {
  std::string message;
  char buf[kMaxFailure];
  ssize_t n;
  while ((n = ::read(notify, buf, sizeof buf)) != 0) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    message.append(buf, static_cast<size_t>(n));
    if (message.size() >= kMaxFailure) break;
  }
  int status = 0;
  waitpid(first_child, &status, 0);
  if (!message.empty() && message.front() == kReady) _exit(0);
  if (message.empty()) message = "gm-master exited during start; see the log";
  std::fprintf(stderr, "gm-master: %s\n", printable(message, kMaxFailure).c_str());
  _exit(1);
}

Status redirect_std_fds(bool keep_stderr) {
  int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null < 0) return make_error(str_cat("open /dev/null: ", std::strerror(errno)));
  dup2(null, STDIN_FILENO);
  dup2(null, STDOUT_FILENO);
  if (!keep_stderr) dup2(null, STDERR_FILENO);
  if (null > STDERR_FILENO) ::close(null);
  return {};
}

}  // namespace

Result<Detached> Detached::detach(bool keep_stderr) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return make_error(str_cat("pipe: ", std::strerror(errno)));
  UniqueFd read_end(fds[0]);
  Detached detached;
  detached.notify_.reset(fds[1]);
  std::fflush(nullptr);
  pid_t first = fork();
  if (first < 0) return make_error(str_cat("fork: ", std::strerror(errno)));
  if (first > 0) {
    detached.notify_.reset();
    wait_for_daemon(read_end.get(), first);
  }
  read_end.reset();
  if (setsid() < 0) _exit(1);
  pid_t second = fork();  // not a session leader: can never regain a terminal
  if (second < 0) _exit(1);
  if (second > 0) _exit(0);
  if (chdir("/") != 0) return make_error("chdir /");
  umask(022);
  if (auto status = redirect_std_fds(keep_stderr); !status) return status.error();
  return detached;
}

void Detached::ready() {
  if (!notify_) return;
  (void)!::write(notify_.get(), &kReady, 1);
  notify_.reset();
}

void Detached::failed(std::string_view message) {
  if (!notify_) return;
  (void)!::write(notify_.get(), message.data(), std::min(message.size(), kMaxFailure));
  notify_.reset();
}

Status write_pid_file(const std::string& path) {
  return core::write_file_durably(path, str_cat(static_cast<int64_t>(getpid()), "\n"), 0644);
}

}  // namespace gm::master
