#include "master/signals.hpp"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/str.hpp"

namespace gm::master {
namespace {

constexpr int kHandled[] = {SIGCHLD, SIGHUP, SIGTERM, SIGINT};

}  // namespace

Result<SignalSource> SignalSource::open() {
  sigset_t mask;
  sigemptyset(&mask);
  for (int signal : kHandled) sigaddset(&mask, signal);
  if (sigprocmask(SIG_BLOCK, &mask, nullptr) != 0)
    return make_error(str_cat("sigprocmask: ", std::strerror(errno)));
  ::signal(SIGPIPE, SIG_IGN);  // a control client that goes away is not fatal
  SignalSource source;
  source.fd_.reset(signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!source.fd_) return make_error(str_cat("signalfd: ", std::strerror(errno)));
  return source;
}

PendingSignals SignalSource::read_pending() {
  PendingSignals pending;
  signalfd_siginfo info{};
  while (::read(fd_.get(), &info, sizeof info) == sizeof info) {
    switch (info.ssi_signo) {
      case SIGCHLD:
        pending.child = true;
        break;
      case SIGHUP:
        pending.reload = true;
        break;
      case SIGTERM:
      case SIGINT:
        pending.stop = true;
        break;
      default:
        break;
    }
  }
  return pending;
}

void reset_signals_for_exec() {
  for (int signal : kHandled) ::signal(signal, SIG_DFL);
  ::signal(SIGPIPE, SIG_DFL);
  sigset_t empty;
  sigemptyset(&empty);
  sigprocmask(SIG_SETMASK, &empty, nullptr);
}

}  // namespace gm::master
