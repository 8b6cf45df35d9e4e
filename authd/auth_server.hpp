// authd's event loop: accepts relay and admin connections, serves each
// line by line without one client waiting on another, reloads gm.conf on
// SIGHUP, exits cleanly on SIGTERM/SIGINT (closing the directory), and once
// a minute forgets expired throttle entries and checkpoints the directory.
#pragma once

#include <event2/event.h>
#include <event2/listener.h>

#include <map>
#include <memory>
#include <string>

#include "auth_service.hpp"
#include "core/config.hpp"
#include "line_connection.hpp"
#include "listen_sockets.hpp"
#include "store/user_directory.hpp"
#include "store/writer_lock.hpp"

namespace gm::authd {

// Admin connections idle this long are closed; relay connections persist.
inline constexpr int kAdminIdleSeconds = 60;
inline constexpr int kMaintenanceSeconds = 60;

class AuthServer {
 public:
  AuthServer(std::string config_path, const core::Config& config, store::WriterLock lock,
             std::unique_ptr<store::UserDirectory> directory);
  AuthServer(const AuthServer&) = delete;
  AuthServer& operator=(const AuthServer&) = delete;

  // Runs until SIGTERM or SIGINT; the exit status for main().
  int run(ListenSockets sockets);

 private:
  struct FreeBase {
    void operator()(event_base* base) const { event_base_free(base); }
  };
  struct FreeEvent {
    void operator()(event* ev) const { event_free(ev); }
  };
  struct FreeListener {
    void operator()(evconnlistener* listener) const { evconnlistener_free(listener); }
  };
  enum class Kind { kRelay, kAdmin };

  bool listen(UniqueFd fd, Kind kind);
  void add_signal(int signal, event_callback_fn callback);
  static void on_accept(evconnlistener*, evutil_socket_t fd, sockaddr*, int, void* self);
  void accept_connection(UniqueFd fd, Kind kind);
  static void on_reload(evutil_socket_t, short, void* self);
  static void on_stop(evutil_socket_t, short, void* self);
  static void on_maintenance(evutil_socket_t, short, void* self);
  void reload();

  std::string config_path_;
  size_t max_connections_;
  store::WriterLock lock_;  // held for the life of the process
  std::unique_ptr<store::UserDirectory> directory_;
  AuthService service_;
  std::unique_ptr<event_base, FreeBase> base_;
  std::unique_ptr<evconnlistener, FreeListener> relay_listener_;
  std::unique_ptr<evconnlistener, FreeListener> admin_listener_;
  std::vector<std::unique_ptr<event, FreeEvent>> events_;
  std::map<LineConnection*, std::unique_ptr<LineConnection>> connections_;
};

// Applies log_level, syslog_facility and log_stderr.
void configure_logging(const core::Config& config);

}  // namespace gm::authd
