#include "worker_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "core/str.hpp"
#include "net/fd_passing.hpp"

namespace gm::maa {
namespace {

constexpr int kExecFailed = 127;

// Between fork and exec: only async-signal-safe calls.
[[noreturn]] void become_worker(int socket, pid_t parent, char* const argv[]) {
  if (socket == kWorkerSocketFd) {
    if (::fcntl(socket, F_SETFD, 0) != 0) _exit(kExecFailed);
  } else if (::dup2(socket, kWorkerSocketFd) != kWorkerSocketFd) {
    _exit(kExecFailed);
  }
  ::close_range(kWorkerSocketFd + 1, ~0U, 0);  // all close-on-exec already; belt and braces
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != parent) _exit(kExecFailed);  // the dispatcher died before the line above
  ::execv(argv[0], argv);
  _exit(kExecFailed);
}

}  // namespace

Result<StartedWorker> start_worker(const WorkerCommand& command, const std::string& user) {
  auto pair = net::seqpacket_pair();
  if (!pair) return pair.error();
  std::vector<std::string> args{command.program, std::string(kWorkerFlag), user, "-c",
                                command.config_path};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) return make_error(str_cat("fork: ", std::strerror(errno)));
  if (pid == 0) become_worker(pair->second.get(), parent, argv.data());
  return StartedWorker{pid, std::move(pair->first)};
}

bool is_worker_invocation(int argc, char** argv) {
  return argc > 2 && argv[1] == kWorkerFlag;
}

std::string worker_user_from_args(int argc, char** argv) {
  return is_worker_invocation(argc, argv) ? argv[2] : "";
}

}  // namespace gm::maa
