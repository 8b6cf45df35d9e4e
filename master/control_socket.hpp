// gm-master's control socket (master_control_socket, mode 0600): one
// command line per connection, one answer, then master closes it.
//   STATUS       one status line per service (core/service_status.hpp), then "."
//   STATUS-JSON  one JSON object on one line
// Anything else gets "ERR ..." (gm-master(8), CONTROL SOCKET).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/unique_fd.hpp"

namespace gm::master {

inline constexpr size_t kMaxControlCommand = 256;
inline constexpr int kControlTimeoutMs = 1000;  // per client, for reading and for writing
inline constexpr int kMaxClientsPerWakeup = 16;

class ControlSocket {
 public:
  static Result<ControlSocket> open(const std::string& path);
  int fd() const { return fd_.get(); }
  const std::string& path() const { return path_; }
  // Accepts the waiting clients and answers each. The socket is root's (or
  // the instance owner's) alone, so a client is trusted not to stall; the
  // timeout bounds the damage if one does.
  void serve(const std::function<std::string(std::string_view command)>& answer);
  // Closes the socket and removes its file.
  void close();

 private:
  UniqueFd fd_;
  std::string path_;
};

}  // namespace gm::master
