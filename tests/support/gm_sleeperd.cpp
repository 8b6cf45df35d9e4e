// gm-sleeperd: a small real daemon for gm-master's integration tests. It
// takes its sockets the way every GoodMessaging daemon does (LISTEN_FDS,
// LISTEN_FDNAMES, LISTEN_PID, sd_listen_fds(3)) and checks what gm-master
// promises: LISTEN_PID is its own pid, fds 3.. are listening sockets, no
// other fd above 2 is open, GM_SERVICE is set, argv is "-c <gm.conf>". A
// broken promise is printed as "gm-sleeperd: FATAL ..." and exits 3.
// Each connection gets "hello <service> <listener>\n". SIGHUP is logged;
// SIGTERM ends it with status 0.
#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/str.hpp"

namespace {

constexpr int kFirstFd = 3;
volatile sig_atomic_t g_hangups = 0;
volatile sig_atomic_t g_stop = 0;

[[noreturn]] void fatal(const std::string& message) {
  std::fprintf(stderr, "gm-sleeperd[%d]: FATAL %s\n", static_cast<int>(getpid()), message.c_str());
  std::exit(3);
}

void say(const std::string& message) {
  std::fprintf(stderr, "gm-sleeperd[%d]: %s\n", static_cast<int>(getpid()), message.c_str());
}

std::string env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) fatal(gm::str_cat(name, " is not set"));
  return value;
}

void check_no_other_fds(int listen_count) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) fatal("cannot read /proc/self/fd");
  int own = dirfd(dir);
  while (dirent* entry = readdir(dir)) {
    auto fd = gm::parse_number<int>(entry->d_name);
    if (!fd || *fd == own || *fd < kFirstFd + listen_count) continue;
    if (*fd >= kFirstFd) fatal(gm::str_cat("unexpected open fd ", *fd));
  }
  closedir(dir);
}

std::vector<std::string> take_listeners() {
  auto pid = gm::parse_number<pid_t>(env("LISTEN_PID"));
  if (!pid || *pid != getpid()) fatal("LISTEN_PID is not my pid");
  auto count = gm::parse_number<int>(env("LISTEN_FDS"));
  if (!count || *count < 0) fatal("bad LISTEN_FDS");
  std::vector<std::string> names = gm::split(env("LISTEN_FDNAMES"), ":");
  if (static_cast<int>(names.size()) != *count) fatal("LISTEN_FDNAMES does not match LISTEN_FDS");
  for (int i = 0; i < *count; ++i) {
    int listening = 0;
    socklen_t length = sizeof listening;
    if (getsockopt(kFirstFd + i, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) != 0 || !listening)
      fatal(gm::str_cat("fd ", kFirstFd + i, " is not a listening socket"));
  }
  check_no_other_fds(*count);
  return names;
}

void on_signal(int signal) {
  if (signal == SIGHUP) g_hangups = g_hangups + 1;
  if (signal == SIGTERM) g_stop = 1;
}

void serve(const std::string& service, const std::vector<std::string>& names) {
  sigset_t blocked;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGHUP);
  sigaddset(&blocked, SIGTERM);
  sigset_t during_poll;
  sigprocmask(SIG_BLOCK, &blocked, &during_poll);
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigaction(SIGHUP, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  std::vector<pollfd> fds;
  for (size_t i = 0; i < names.size(); ++i)
    fds.push_back({kFirstFd + static_cast<int>(i), POLLIN, 0});
  int seen_hangups = 0;
  while (!g_stop) {
    int rc = ppoll(fds.data(), fds.size(), nullptr, &during_poll);
    while (seen_hangups < g_hangups) {
      ++seen_hangups;
      say("SIGHUP received: reloading");
    }
    if (rc <= 0) continue;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      int client = accept4(fds[i].fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) continue;
      std::string hello = gm::str_cat("hello ", service, " ", names[i], "\n");
      (void)!send(client, hello.data(), hello.size(), MSG_NOSIGNAL);
      close(client);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 || std::string_view(argv[1]) != "-c") fatal("expected arguments -c FILE");
  std::string service = env("GM_SERVICE");
  std::vector<std::string> names = take_listeners();
  say(gm::str_cat("service ", service, " serving ", names.size(), " listeners, config ", argv[2]));
  serve(service, names);
  say("SIGTERM received: exiting");
  return 0;
}
