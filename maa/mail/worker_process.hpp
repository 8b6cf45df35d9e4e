// Starting one maa-mail worker (maa-mail(8)): fork, then exec of maa-mail
// itself with --worker, so the worker starts clean: no loop, no listener,
// no other user's connection; only the socket pair to the dispatcher, on
// fd 3. Same uid as the dispatcher (mail_user). The worker gets SIGTERM
// when the dispatcher dies, so a restarted dispatcher never finds an old
// worker still serving a user.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/unique_fd.hpp"

namespace gm::maa {

inline constexpr std::string_view kWorkerFlag = "--worker";  // maa-mail --worker USER -c FILE
inline constexpr int kWorkerSocketFd = 3;
// Worker -> dispatcher when sessions end: "done <percent-encoded user> <count>".
inline constexpr std::string_view kSessionsDone = "done ";

struct WorkerCommand {
  std::string program;      // this executable (/proc/self/exe at start)
  std::string config_path;  // passed on as -c
};

struct StartedWorker {
  pid_t pid = -1;
  UniqueFd socket;  // the dispatcher's end: SOCK_SEQPACKET, nonblocking
};

// `user`: whom it is started for; shown in ps and in its log lines.
Result<StartedWorker> start_worker(const WorkerCommand& command, const std::string& user);

// argv is "maa-mail --worker USER ...": run as a worker, for USER.
bool is_worker_invocation(int argc, char** argv);
std::string worker_user_from_args(int argc, char** argv);

}  // namespace gm::maa
