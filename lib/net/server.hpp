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
#include "net/event_loop.hpp"
#include "net/session.hpp"

namespace gm::net {

inline constexpr int kExitConfig = 78;       // EX_CONFIG: bad gm.conf or TLS material
inline constexpr int kExitNoListeners = 66;  // EX_NOINPUT: started without LISTEN_FDS
inline constexpr int kExitSoftware = 70;     // EX_SOFTWARE: the loop or privileges failed

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
  // The gm.conf key naming the account to run as when started as root
  // (maa-mail: "mail_user").
  std::string_view run_as_key = "unprivileged_user";
};

int run_server(int argc, char** argv, const ServerSpec& spec);

}  // namespace gm::net
