// gm-master's control socket reports one line per service; gmctl status
// reads them. This is the one place that writes and reads that line, so
// both ends agree (gm-master(8), CONTROL SOCKET):
//
//   NAME STATE PIDS UPTIME RESTARTS LISTENERS
//   msa running 4711 3600 0 submission=inet:127.0.0.1:587,submissions=inet:[::1]:465
//
// PIDS and LISTENERS are comma-separated; "-" stands for none, and for the
// uptime of a service with no running process.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace gm::core {

inline constexpr size_t kMaxStatusLineLength = 8192;
inline constexpr size_t kMaxStatusListItems = 64;

struct ServiceStatus {
  std::string name;
  std::string state;  // running, backoff, crash-loop, stopping, stopped
  std::vector<pid_t> pids;
  int64_t uptime_seconds = -1;  // of the youngest process; -1: none running
  int64_t restarts = 0;
  std::vector<std::string> listeners;  // ListenerSpec::describe()
  bool operator==(const ServiceStatus&) const = default;
};

std::string format_status_line(const ServiceStatus& status);  // without the newline
Result<ServiceStatus> parse_status_line(std::string_view line);

}  // namespace gm::core
