#include "net/server.hpp"

#include <event2/listener.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "core/config.hpp"
#include "core/log.hpp"
#include "core/privileges.hpp"
#include "core/program.hpp"
#include "core/str.hpp"
#include "net/connection.hpp"
#include "net/connection_limiter.hpp"
#include "net/connection_set.hpp"
#include "net/event_loop.hpp"
#include "net/listen_fds.hpp"
#include "net/tls_context.hpp"

namespace gm::net {
namespace {

using ConfigPtr = std::shared_ptr<const core::Config>;

struct ListenerDeleter {
  void operator()(evconnlistener* listener) const { evconnlistener_free(listener); }
};

bool file_exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

// Loads the certificate when its files exist. nullptr with no error: no
// TLS configured.
Result<std::shared_ptr<TlsContext>> load_tls(const core::Config& config) {
  TlsSettings settings = TlsSettings::from_config(config);
  if (!file_exists(settings.cert_file) && !file_exists(settings.key_file))
    return std::shared_ptr<TlsContext>();
  return TlsContext::load(settings);
}

class Server {
 public:
  Server(const ServerSpec& spec, std::string config_path, ConfigPtr config,
         std::shared_ptr<TlsContext> tls)
      : spec_(spec),
        config_path_(std::move(config_path)),
        config_(std::move(config)),
        limits_(ConnectionLimits::from_config(*config_)),
        limiter_(max_connections(*config_), max_per_address(*config_)),
        tls_(std::move(tls)),
        connections_(loop_),
        resume_accepting_(loop_, [this] { set_accepting(true); }),
        hup_(loop_, SIGHUP, [this] { reload(); }),
        term_(loop_, SIGTERM, [this] { shut_down("SIGTERM"); }),
        int_(loop_, SIGINT, [this] { shut_down("SIGINT"); }) {
    if (spec.make_fd_taker)
      fd_taker_ = spec.make_fd_taker(loop_, *config_);
    else
      factory_ = spec.make_session ? spec.make_session : spec.make_factory(loop_, *config_);
  }

  Status listen(std::vector<InheritedListener> inherited);
  void run() { loop_.run(); }

 private:
  struct Listener {
    Server* server;
    std::string name;
    bool implicit_tls;
    std::unique_ptr<evconnlistener, ListenerDeleter> lev;
  };
  static size_t max_connections(const core::Config& c) {
    return static_cast<size_t>(std::max<int64_t>(c.integer("max_connections"), 0));
  }
  static size_t max_per_address(const core::Config& c) {
    return static_cast<size_t>(std::max<int64_t>(c.integer("max_connections_per_address"), 0));
  }
  static void on_accept(evconnlistener*, evutil_socket_t fd, sockaddr* address, int length,
                        void* listener);
  static void on_accept_error(evconnlistener*, void* listener);
  void accept(Listener& listener, UniqueFd fd, const sockaddr* address, socklen_t length);
  void set_accepting(bool on);
  void reload();
  void shut_down(std::string_view why);

  const ServerSpec& spec_;
  std::string config_path_;
  ConfigPtr config_;
  ConnectionLimits limits_;
  ConnectionLimiter limiter_;
  std::shared_ptr<TlsContext> tls_;
  EventLoop loop_;
  SessionFactory factory_;  // destroyed after the connections that use it
  FdTaker fd_taker_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  ConnectionSet connections_;
  Timer resume_accepting_;
  SignalHandler hup_;
  SignalHandler term_;
  SignalHandler int_;
};

Status Server::listen(std::vector<InheritedListener> inherited) {
  for (InheritedListener& entry : inherited) {
    bool implicit_tls = false;
    for (const std::string& name : spec_.implicit_tls_listeners)
      if (name == entry.name) implicit_tls = true;
    if (implicit_tls && !tls_)
      return make_error(str_cat("listener '", entry.name, "' needs TLS, but tls_cert_file ",
                                config_->path("tls_cert_file"), " does not exist"));
    auto listener = std::make_unique<Listener>(Listener{this, entry.name, implicit_tls, nullptr});
    // backlog 0: the socket is already listening (bound by gm-master with
    // its kListenBacklog). -1 would make libevent call listen(fd, 128) again
    // and cut the backlog: a burst of connects beyond it then waits seconds
    // for SYN-ACK retransmissions (bench/README.md, idle connections).
    listener->lev.reset(evconnlistener_new(loop_.base(), &Server::on_accept, listener.get(),
                                           LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0,
                                           entry.fd.get()));
    if (!listener->lev)
      return make_error(str_cat("cannot listen on inherited fd ", entry.fd.get()));
    (void)entry.fd.release();
    evconnlistener_set_error_cb(listener->lev.get(), &Server::on_accept_error);
    log::info(str_cat("listening: ", entry.name, implicit_tls ? " (TLS)" : ""));
    listeners_.push_back(std::move(listener));
  }
  return {};
}

void Server::on_accept(evconnlistener*, evutil_socket_t fd, sockaddr* address, int length,
                       void* listener) {
  auto* l = static_cast<Listener*>(listener);
  l->server->accept(*l, UniqueFd(fd), address, static_cast<socklen_t>(length));
}

// EMFILE and friends: the listener stays readable, so pause instead of
// spinning, as Postfix and nginx do.
void Server::on_accept_error(evconnlistener*, void* listener) {
  auto* server = static_cast<Listener*>(listener)->server;
  log::error(str_cat("accept: ", std::strerror(errno), "; pausing accepts for 1s"));
  server->set_accepting(false);
  server->resume_accepting_.start(std::chrono::seconds(1));
}

void Server::set_accepting(bool on) {
  for (auto& l : listeners_)
    on ? evconnlistener_enable(l->lev.get()) : evconnlistener_disable(l->lev.get());
}

void Server::accept(Listener& listener, UniqueFd fd, const sockaddr* address, socklen_t length) {
  if (fd_taker_) return fd_taker_(listener.name, std::move(fd));
  std::unique_ptr<Session> session = factory_(listener.name);
  if (!session) return;  // the protocol serves nothing on this listener; fd closes
  auto [peer, port] = describe_peer(address, length);
  Admission admission = limiter_.admit(peer);
  bool counted = admission == Admission::kAccepted;
  ConnectionParams params{std::move(fd),         peer,   port, listener.name, limits_, tls_,
                          listener.implicit_tls, config_};
  Connection& connection =
      connections_.add(std::move(params), std::move(session), [this, counted](Connection& c) {
        if (counted) limiter_.release(c.peer_address());
      });
  if (counted)
    connection.start();
  else
    connection.refuse(admission == Admission::kTooManyFromAddress ? Refusal::kTooManyFromAddress
                                                                  : Refusal::kTooManyConnections);
}

void Server::reload() {
  log::notice("SIGHUP: reloading configuration and TLS certificate");
  auto fresh = core::Config::load(config_path_);
  if (!fresh) {
    log::error(str_cat("reload: ", fresh.error().message, "; keeping the running configuration"));
  } else if (Status s = init_logging(spec_.name, *fresh); !s) {
    log::error(str_cat("reload: ", s.error().message, "; keeping the running configuration"));
  } else {
    config_ = std::make_shared<const core::Config>(std::move(*fresh));
    limits_ = ConnectionLimits::from_config(*config_);
    limiter_.set_limits(max_connections(*config_), max_per_address(*config_));
  }
  auto tls = load_tls(*config_);
  if (!tls) {
    log::error(str_cat("reload: ", tls.error().message, "; keeping the running certificate"));
  } else if (*tls) {
    tls_ = std::move(*tls);
    log::notice(str_cat("TLS certificate loaded from ", tls_->settings().cert_file));
  } else if (tls_) {
    log::warning("reload: TLS certificate files are gone; keeping the running certificate");
  }
}

void Server::shut_down(std::string_view why) {
  log::notice(str_cat(why, ": stopping"));
  listeners_.clear();  // stop accepting first
  connections_.close_all();
  loop_.stop();
}

}  // namespace

Status init_logging(std::string_view program, const core::Config& config) {
  auto level = log::parse_level(config.string("log_level"));
  if (!level) return make_error(str_cat(config.origin("log_level"), ": ", level.error().message));
  log::init({std::string(program), *level, config.string("syslog_facility"),
             config.boolean("log_stderr")});
  return {};
}

void raise_open_files_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  limit.rlim_cur = limit.rlim_max;
  if (::setrlimit(RLIMIT_NOFILE, &limit) != 0)
    log::warning(str_cat("setrlimit(RLIMIT_NOFILE): ", std::strerror(errno)));
}

int run_server(int argc, char** argv, const ServerSpec& spec) {
  std::signal(SIGPIPE, SIG_IGN);  // a client that went away is an error return, not a signal
  if (auto exit_code = core::handle_standard_options(argc, argv, {spec.name, spec.purpose, ""}))
    return *exit_code;
  std::string path = core::config_path_from_args(argc, argv);
  auto config = core::Config::load(path);
  auto fail = [&](int code, std::string_view message) {
    std::fprintf(stderr, "%.*s: %.*s\n", static_cast<int>(spec.name.size()), spec.name.data(),
                 static_cast<int>(message.size()), message.data());
    log::error(message);
    return code;
  };
  if (!config) return fail(kExitConfig, config.error().message);
  if (Status s = init_logging(spec.name, *config); !s) return fail(kExitConfig, s.error().message);
  raise_open_files_limit();

  auto inherited = take_inherited_listeners();
  if (!inherited) return fail(kExitNoListeners, inherited.error().message);
  if (inherited->empty())
    return fail(kExitNoListeners,
                "no listening sockets inherited (LISTEN_FDS/LISTEN_PID unset); this daemon is "
                "started by gm-master or by systemd socket activation");
  auto tls = load_tls(*config);
  if (!tls) return fail(kExitConfig, tls.error().message);
  if (!*tls) log::notice("no TLS certificate configured; STARTTLS is not offered");

  std::string run_as = config->string(spec.run_as_key);
  try {
    Server server(spec, path, std::make_shared<const core::Config>(std::move(*config)),
                  std::move(*tls));
    if (Status s = server.listen(std::move(*inherited)); !s)
      return fail(kExitConfig, s.error().message);
    if (geteuid() == 0) {  // listeners and keys are open; nothing below needs root
      auto account = core::lookup_account(run_as);
      if (!account) return fail(kExitConfig, account.error().message);
      if (Status s = core::drop_privileges(*account); !s)
        return fail(kExitSoftware, s.error().message);
    }
    server.run();
  } catch (const std::runtime_error& e) {
    return fail(kExitSoftware, e.what());
  }
  log::info("stopped");
  return 0;
}

}  // namespace gm::net
