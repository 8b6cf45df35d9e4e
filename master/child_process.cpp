#include "master/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/str.hpp"
#include "core/unique_fd.hpp"
#include "master/signals.hpp"

namespace gm::master {
namespace {

constexpr int kFirstListenFd = 3;  // SD_LISTEN_FDS_START
constexpr size_t kMaxStartError = 512;
constexpr const char* kKeptEnvironment[] = {"PATH", "TZ", "ASAN_OPTIONS", "UBSAN_OPTIONS",
                                            "LSAN_OPTIONS"};
constexpr const char* kDefaultPath = "/usr/sbin:/usr/bin:/sbin:/bin";

std::vector<std::string> child_environment(const SpawnRequest& request) {
  std::vector<std::string> env;
  for (const char* name : kKeptEnvironment)
    if (const char* value = std::getenv(name)) env.push_back(str_cat(name, "=", value));
  if (std::getenv("PATH") == nullptr) env.push_back(str_cat("PATH=", kDefaultPath));
  env.push_back(str_cat("GM_SERVICE=", request.service));
  env.push_back(str_cat("LISTEN_FDS=", request.listen_fds.size()));
  std::string names;
  for (const std::string& name : request.listen_names) names += names.empty() ? name : ":" + name;
  env.push_back(str_cat("LISTEN_FDNAMES=", names));
  return env;
}

// Failures in the child go back to gm-master through the status pipe, so
// the reason reaches master's log even when stderr is /dev/null.
[[noreturn]] void child_fail(int status_fd, std::string_view message) {
  (void)!::write(status_fd, message.data(), std::min(message.size(), kMaxStartError));
  _exit(127);
}

// Moves the listen fds to 3..3+n-1 (without close-on-exec) and closes every
// other fd above 2 except status_fd, which closes itself on exec.
int arrange_fds(const std::vector<int>& listen_fds, int status_fd) {
  int n = static_cast<int>(listen_fds.size());
  int above = kFirstListenFd + n;
  if (status_fd < above) {
    status_fd = fcntl(status_fd, F_DUPFD_CLOEXEC, above);
    if (status_fd < 0) _exit(127);
  }
  std::vector<int> moved;
  for (int fd : listen_fds) {
    int copy = fcntl(fd, F_DUPFD_CLOEXEC, above);
    if (copy < 0) child_fail(status_fd, str_cat("dup listen fd: ", std::strerror(errno)));
    moved.push_back(copy);
  }
  for (int i = 0; i < n; ++i)
    if (dup2(moved[i], kFirstListenFd + i) < 0)
      child_fail(status_fd, str_cat("dup2: ", std::strerror(errno)));
  if (status_fd > above) close_range(above, status_fd - 1, 0);
  close_range(status_fd + 1, ~0U, 0);
  return status_fd;
}

[[noreturn]] void run_child(const SpawnRequest& request, const std::vector<std::string>& env,
                            int status_fd, pid_t master_pid) {
  reset_signals_for_exec();
  setpgid(0, 0);  // a ^C on master's terminal is for master, which stops us in order
  status_fd = arrange_fds(request.listen_fds, status_fd);
  if (request.account) {
    if (auto status = core::drop_privileges(*request.account); !status)
      child_fail(status_fd, status.error().message);
  }
  // Set after the privilege drop, which clears it; checked against the race
  // where master died before this line.
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != master_pid) _exit(127);
  if (chdir("/") != 0) child_fail(status_fd, "chdir /");
  std::vector<std::string> full_env = env;
  full_env.push_back(str_cat("LISTEN_PID=", static_cast<int64_t>(getpid())));
  std::vector<char*> envp;
  for (std::string& entry : full_env) envp.push_back(entry.data());
  envp.push_back(nullptr);
  std::string program = request.program_path;
  std::string flag = "-c";
  std::string config = request.config_path;
  char* argv[] = {program.data(), flag.data(), config.data(), nullptr};
  execve(program.c_str(), argv, envp.data());
  child_fail(status_fd,
             str_cat("cannot execute ", request.program_path, ": ", std::strerror(errno)));
}

// Empty when exec succeeded (the pipe closed on exec), else the reason.
std::string read_start_error(int fd) {
  std::string message;
  char buf[kMaxStartError];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    message.append(buf, static_cast<size_t>(n));
    if (message.size() >= kMaxStartError) break;
  }
  return message;
}

}  // namespace

Result<pid_t> spawn_child(const SpawnRequest& request) {
  if (request.listen_fds.size() != request.listen_names.size())
    return make_error("listen fds and names differ in number");
  std::vector<std::string> env = child_environment(request);
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return make_error(str_cat("pipe: ", std::strerror(errno)));
  UniqueFd read_end(pipe_fds[0]);
  UniqueFd write_end(pipe_fds[1]);
  pid_t master_pid = getpid();
  pid_t pid = fork();
  if (pid < 0) return make_error(str_cat("fork: ", std::strerror(errno)));
  if (pid == 0) run_child(request, env, write_end.get(), master_pid);
  write_end.reset();
  std::string error = read_start_error(read_end.get());
  if (error.empty()) return pid;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return make_error(printable(error));
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return str_cat("exited with status ", WEXITSTATUS(status));
  if (WIFSIGNALED(status))
    return str_cat("killed by signal ", WTERMSIG(status), " (", strsignal(WTERMSIG(status)), ")",
                   WCOREDUMP(status) ? ", core dumped" : "");
  return str_cat("ended with wait status ", status);
}

}  // namespace gm::master
