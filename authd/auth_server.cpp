#include "auth_server.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <csignal>

#include "admin_session.hpp"
#include "auth/auth_protocol.hpp"
#include "core/log.hpp"
#include "core/str.hpp"
#include "relay_session.hpp"
#include "store/admin_protocol.hpp"

namespace gm::authd {
namespace {

// Only root and authd's own account may administer users: the socket's
// mode says so, and the peer's credentials are checked as well.
bool admin_peer_allowed(int fd) {
  ucred peer{};
  socklen_t size = sizeof peer;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &size) != 0) return false;
  return peer.uid == 0 || peer.uid == ::geteuid();
}

}  // namespace

void configure_logging(const core::Config& config) {
  log::Options options;
  options.program = "authd";
  Result<log::Level> level = log::parse_level(config.string("log_level"));
  options.min_level = level ? *level : log::Level::kInfo;
  options.syslog_facility = config.string("syslog_facility");
  options.to_stderr = config.boolean("log_stderr");
  log::init(options);
}

AuthServer::AuthServer(std::string config_path, const core::Config& config, store::WriterLock lock,
                       std::unique_ptr<store::UserDirectory> directory)
    : config_path_(std::move(config_path)),
      max_connections_(
          static_cast<size_t>(std::max<int64_t>(1, config.integer("max_connections")))),
      lock_(std::move(lock)),
      directory_(std::move(directory)),
      service_(AuthSettings::from_config(config), *directory_),
      base_(event_base_new()) {}

int AuthServer::run(ListenSockets sockets) {
  if (!base_) {
    log::error("cannot create the event loop");
    return 1;
  }
  if (!listen(std::move(sockets.auth), Kind::kRelay) ||
      !listen(std::move(sockets.admin), Kind::kAdmin))
    return 1;
  // A daemon that goes away mid-exchange (killed, restarted) is an error
  // return from write, not a signal that kills authd for every client.
  std::signal(SIGPIPE, SIG_IGN);
  add_signal(SIGHUP, on_reload);
  add_signal(SIGTERM, on_stop);
  add_signal(SIGINT, on_stop);
  event* timer = event_new(base_.get(), -1, EV_PERSIST, on_maintenance, this);
  events_.emplace_back(timer);
  timeval interval{kMaintenanceSeconds, 0};
  event_add(timer, &interval);
  log::notice("ready");
  event_base_dispatch(base_.get());
  connections_.clear();
  log::notice("stopped");
  return 0;
}

bool AuthServer::listen(UniqueFd fd, Kind kind) {
  constexpr unsigned kFlags = LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC;
  evconnlistener* listener = evconnlistener_new(base_.get(), on_accept, this, kFlags, 0,
                                                fd.get());  // 0: already listening
  if (listener == nullptr) {
    log::error("cannot listen on an inherited socket");
    return false;
  }
  (void)fd.release();
  // The accept callback learns the kind from which listener fired.
  (kind == Kind::kRelay ? relay_listener_ : admin_listener_).reset(listener);
  return true;
}

void AuthServer::add_signal(int signal, event_callback_fn callback) {
  event* ev = evsignal_new(base_.get(), signal, callback, this);
  events_.emplace_back(ev);
  event_add(ev, nullptr);
}

void AuthServer::on_accept(evconnlistener* listener, evutil_socket_t fd, sockaddr*, int,
                           void* self) {
  auto* server = static_cast<AuthServer*>(self);
  Kind kind = listener == server->admin_listener_.get() ? Kind::kAdmin : Kind::kRelay;
  server->accept_connection(UniqueFd(fd), kind);
}

void AuthServer::accept_connection(UniqueFd fd, Kind kind) {
  if (connections_.size() >= max_connections_) {
    log::warning("max_connections reached; refusing a connection");
    return;
  }
  if (kind == Kind::kAdmin && !admin_peer_allowed(fd.get())) {
    log::warning("admin connection from an unauthorised user refused");
    return;
  }
  evutil_make_socket_nonblocking(fd.get());
  std::unique_ptr<LineProtocol> protocol;
  size_t max_line = 0;
  if (kind == Kind::kRelay) {
    protocol = std::make_unique<RelaySession>(service_);
    max_line = auth::kMaxAuthLineLength;
  } else {
    protocol = std::make_unique<AdminSession>(*directory_);
    max_line = store::kMaxAdminLineLength;
  }
  auto connection =
      std::make_unique<LineConnection>(base_.get(), std::move(fd), max_line, std::move(protocol),
                                       [this](LineConnection* done) { connections_.erase(done); });
  if (kind == Kind::kAdmin) connection->set_idle_timeout(kAdminIdleSeconds);
  LineConnection* key = connection.get();
  connections_.emplace(key, std::move(connection));
}

void AuthServer::on_reload(evutil_socket_t, short, void* self) {
  static_cast<AuthServer*>(self)->reload();
}

// Socket paths and auth_db_dir need a restart; everything else applies now.
void AuthServer::reload() {
  Result<core::Config> config = core::Config::load(config_path_);
  if (!config) {
    log::error(str_cat("reload failed, keeping the old settings: ", config.error().message));
    return;
  }
  configure_logging(*config);
  service_.reload(AuthSettings::from_config(*config));
  max_connections_ = static_cast<size_t>(std::max<int64_t>(1, config->integer("max_connections")));
  log::notice(str_cat("reloaded ", config_path_));
}

void AuthServer::on_stop(evutil_socket_t, short, void* self) {
  log::notice("stopping on signal");
  event_base_loopexit(static_cast<AuthServer*>(self)->base_.get(), nullptr);
}

void AuthServer::on_maintenance(evutil_socket_t, short, void* self) {
  auto* server = static_cast<AuthServer*>(self);
  server->service_.throttle().prune();
  // A checkpoint writes to disk: a short stall of the loop once a minute.
  if (Status s = server->directory_->maintain(); !s)
    log::warning(str_cat("user directory checkpoint: ", s.error().message));
}

}  // namespace gm::authd
