// gmctl status [--json]: what gm-master is running, from its control
// socket (gm-master(8), CONTROL SOCKET). The table's columns are stable
// for scripts that read it; --json passes master's STATUS-JSON through.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "command.hpp"
#include "core/service_status.hpp"
#include "core/str.hpp"
#include "core/unique_fd.hpp"

namespace gm::gmctl {
namespace {

constexpr size_t kMaxReply = 1 << 20;
constexpr int kReplyTimeoutSeconds = 5;

struct Reply {
  int exit_code = kExitOk;
  std::string text;
};

Reply unavailable(const std::string& path) {
  return {kExitUnavailable, str_cat("gm-master is not running (no control socket at ", path, ")")};
}

Result<UniqueFd> connect_control(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path)
    return make_error(str_cat("control socket path too long: ", path));
  std::memcpy(address.sun_path, path.data(), path.size());
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return make_error(str_cat("socket: ", std::strerror(errno)));
  timeval timeout{kReplyTimeoutSeconds, 0};
  setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
    return make_error(std::strerror(errno), errno);
  return fd;
}

Reply ask_master(const std::string& path, std::string_view command) {
  auto fd = connect_control(path);
  if (!fd) {
    if (fd.error().code == ENOENT || fd.error().code == ECONNREFUSED) return unavailable(path);
    return {kExitFailure, str_cat("cannot connect to ", path, ": ", fd.error().message)};
  }
  std::string line = str_cat(command, "\n");
  if (::send(fd->get(), line.data(), line.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(line.size()))
    return {kExitFailure, str_cat("cannot send to ", path, ": ", std::strerror(errno))};
  Reply reply;
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd->get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return {kExitFailure, str_cat("reading from ", path, ": ", std::strerror(errno))};
    if (n == 0) break;
    reply.text.append(buf, static_cast<size_t>(n));
    if (reply.text.size() > kMaxReply) return {kExitFailure, "gm-master's answer is too long"};
  }
  if (reply.text.starts_with("ERR"))
    return {kExitFailure, str_cat("gm-master: ", trim(reply.text))};
  return reply;
}

std::string format_uptime(int64_t seconds) {
  if (seconds < 0) return "-";
  if (seconds < 60) return str_cat(seconds, "s");
  char buf[32];
  if (seconds < 3600)
    std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(seconds / 60),
                  static_cast<long long>(seconds % 60));
  else if (seconds < 86400)
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(seconds / 3600),
                  static_cast<long long>(seconds % 3600 / 60));
  else
    std::snprintf(buf, sizeof buf, "%lldd%02lldh", static_cast<long long>(seconds / 86400),
                  static_cast<long long>(seconds % 86400 / 3600));
  return buf;
}

using Row = std::array<std::string, 6>;

Row to_row(const core::ServiceStatus& status) {
  std::string pids;
  for (pid_t pid : status.pids) pids += str_cat(pids.empty() ? "" : ",", static_cast<int64_t>(pid));
  std::string listeners;
  for (const std::string& listener : status.listeners)
    listeners += str_cat(listeners.empty() ? "" : " ", listener);
  return {status.name,
          status.state,
          pids.empty() ? "-" : pids,
          format_uptime(status.uptime_seconds),
          str_cat(status.restarts),
          listeners.empty() ? "-" : listeners};
}

void print_table(const std::vector<Row>& rows) {
  std::array<size_t, 6> width{};
  for (const Row& row : rows)
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  for (const Row& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    std::printf("%s\n", line.c_str());
  }
}

Result<std::vector<Row>> parse_status(std::string_view text) {
  std::vector<Row> rows = {{"SERVICE", "STATE", "PID", "UPTIME", "RESTARTS", "LISTENERS"}};
  bool ended = false;
  for (const std::string& line : split(text, "\n")) {
    if (line == ".") {
      ended = true;
      break;
    }
    auto status = core::parse_status_line(line);
    if (!status)
      return make_error(str_cat("bad status line from gm-master: ", status.error().message));
    rows.push_back(to_row(*status));
  }
  if (!ended) return make_error("gm-master's answer ended early");
  return rows;
}

}  // namespace

int run_status(Context& context) {
  if (!context.args.empty()) return usage_error("usage: gmctl status [--json]");
  auto config = context.load_config();
  if (!config) return failure(config.error().message);
  std::string path = config->path("master_control_socket");
  Reply reply = ask_master(path, context.json ? "STATUS-JSON" : "STATUS");
  if (reply.exit_code != kExitOk) {
    std::fprintf(stderr, "gmctl: %s\n", reply.text.c_str());
    return reply.exit_code;
  }
  if (context.json) {
    std::fwrite(reply.text.data(), 1, reply.text.size(), stdout);
    return kExitOk;
  }
  auto rows = parse_status(reply.text);
  if (!rows) return failure(rows.error().message);
  print_table(*rows);
  return kExitOk;
}

}  // namespace gm::gmctl
