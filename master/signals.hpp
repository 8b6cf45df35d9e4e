// gm-master's signals arrive through a signalfd, so they are handled in the
// main loop like any other event and never interrupt half-done work:
// SIGCHLD (reap), SIGHUP (reload), SIGTERM and SIGINT (stop).
#pragma once

#include "core/result.hpp"
#include "core/unique_fd.hpp"

namespace gm::master {

struct PendingSignals {
  bool child = false;
  bool reload = false;
  bool stop = false;
};

class SignalSource {
 public:
  // Blocks the signals above, ignores SIGPIPE, and opens the signalfd.
  static Result<SignalSource> open();
  int fd() const { return fd_.get(); }
  PendingSignals read_pending();

 private:
  UniqueFd fd_;
};

// In a new child before exec: default dispositions and an empty mask, so
// the daemon starts with the signal state a fresh process expects.
void reset_signals_for_exec();

}  // namespace gm::master
