// Detaching from the terminal the classic way (double fork, setsid), with
// one refinement: the command that started gm-master exits only when the
// daemon says it is ready (or failed), so `gm-master -c FILE && ...` in a
// script sees a real result.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/unique_fd.hpp"

namespace gm::master {

class Detached {
 public:
  // Returns in the daemon process only. stdin and stdout go to /dev/null;
  // stderr too unless keep_stderr (log_stderr = yes: whoever started us
  // collects the log, e.g. an init system or a test).
  static Result<Detached> detach(bool keep_stderr);
  // Lets the starting command exit 0.
  void ready();
  // Lets it print message and exit 1.
  void failed(std::string_view message);

 private:
  UniqueFd notify_;
};

// Writes "<pid>\n" to path (durably).
Status write_pid_file(const std::string& path);

}  // namespace gm::master
