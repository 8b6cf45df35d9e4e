// Starting one daemon process: fork, then in the child set up exactly the
// environment gm-master(8) promises and exec the program.
//
// The child gets: its listen sockets as fds 3, 4, ... in the table's order
// with LISTEN_FDS, LISTEN_FDNAMES and LISTEN_PID (the systemd convention,
// sd_listen_fds(3)); no other fd beyond 0-2; an environment of PATH, TZ and
// the sanitizer options if master has them, plus GM_SERVICE; its own process
// group; SIGTERM when gm-master dies (PR_SET_PDEATHSIG); the service's user
// when master is root; argv "<program> -c <gm.conf>".
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "core/privileges.hpp"
#include "core/result.hpp"

namespace gm::master {

struct SpawnRequest {
  std::string service;
  std::string program_path;
  std::string config_path;
  std::vector<int> listen_fds;
  std::vector<std::string> listen_names;
  std::optional<core::Account> account;  // switch to it; only when master is root
};

// The child's pid once exec has succeeded; an error naming the reason when
// the program could not be started (the child is reaped already then).
Result<pid_t> spawn_child(const SpawnRequest& request);

// "exited with status 1", "killed by signal 9 (Killed)"
std::string describe_wait_status(int status);

}  // namespace gm::master
