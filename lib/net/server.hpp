// The shared server skeleton: the whole body of a network daemon's main().
// It answers --version/--help, loads gm.conf (-c FILE), starts logging,
// takes the listeners gm-master or systemd passed (LISTEN_FDS), loads TLS,
// drops root for unprivileged_user (or spec.run_as_key), and serves each accepted client with a
// Session from the protocol's factory. SIGHUP reloads gm.conf and the
// certificate (new connections only); SIGTERM/SIGINT stop accepting, close
// every connection and exit 0.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "core/result.hpp"
#include "core/unique_fd.hpp"
#include "net/event_loop.hpp"
#include "net/session.hpp"

namespace gm::net {

inline constexpr int kExitConfig = 78;       // EX_CONFIG: bad gm.conf or TLS material
inline constexpr int kExitNoListeners = 66;  // EX_NOINPUT: started without LISTEN_FDS
inline constexpr int kExitSoftware = 70;     // EX_SOFTWARE: the loop or privileges failed

// A daemon that passes its clients on to other processes takes each
// accepted fd itself (nonblocking, close-on-exec) instead of a Session.
using FdTaker = std::function<void(std::string_view listener, UniqueFd fd)>;

struct ServerSpec {
  std::string_view name;     // program name: logs, --version, the man page
  std::string_view purpose;  // one line for --help
  // Listener names (LISTEN_FDNAMES) that speak TLS from the first byte;
  // TLS is then required at startup.
  std::vector<std::string> implicit_tls_listeners;
  SessionFactory make_session;
  // Instead of make_session: builds the factory once the loop exists, for
  // protocols with per-process state on the loop (an authd client, a worker
  // pool). What it captures lives until the server stops, after every
  // connection is gone.
  std::function<SessionFactory(EventLoop& loop, const core::Config& config)> make_factory;
  // Instead of both: every accepted fd goes to the taker (maa-mail's
  // dispatcher); max_connections and the per-address limit do not apply.
  // Built once the loop exists; lives until the server stops.
  std::function<FdTaker(EventLoop& loop, const core::Config& config)> make_fd_taker = {};
  // The gm.conf key naming the account to run as when started as root
  // (maa-mail: "mail_user").
  std::string_view run_as_key = "unprivileged_user";
};

int run_server(int argc, char** argv, const ServerSpec& spec);

// gm::log as gm.conf says (log_level, syslog_facility, log_stderr), for
// `program`: what run_server does at start and on SIGHUP.
Status init_logging(std::string_view program, const core::Config& config);

// Raises this process's soft RLIMIT_NOFILE to its hard limit (systemd and
// gm-master leave the soft one at 1024; a mail server holds an fd per
// client). run_server does it at start.
void raise_open_files_limit();

}  // namespace gm::net
