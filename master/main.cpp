// gm-master: the GoodMessaging supervisor.
//
// Job: binds every listen socket of the service table (services.conf(5)),
// starts each daemon with its sockets as inherited fds (LISTEN_FDS),
// restarts daemons that exit (with backoff, never in a tight loop), reloads
// on SIGHUP, stops everything on SIGTERM, and answers `gmctl status` on its
// control socket.
// Runs as: root in production (to bind ports and switch each daemon to its
// user); as the invoking user otherwise, and then everything runs as that
// user. It reads gm.conf and the service table, never mail or secrets.
// Writes: run_dir (pid file, control socket, unix listeners) and creates
// spool_dir, data_dir and mail_dir.
// Manual: gm-master(8).
#include <cstdio>
#include <optional>
#include <string_view>

#include "core/log.hpp"
#include "core/program.hpp"
#include "core/str.hpp"
#include "master/control_socket.hpp"
#include "master/daemonize.hpp"
#include "master/listener_pool.hpp"
#include "master/master_config.hpp"
#include "master/open_files.hpp"
#include "master/runtime_dirs.hpp"
#include "master/signals.hpp"
#include "master/supervisor.hpp"

namespace {

constexpr int kExitUsage = 64;
constexpr int kExitConfig = 78;  // EX_CONFIG: nothing was started
constexpr int kExitFailure = 1;

constexpr std::string_view kUsage =
    "  --foreground        stay in the foreground (no fork, keep stderr)\n";

bool valid_arguments(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "-c" || arg == "--config") {
      if (++i >= argc) return false;
    } else if (!arg.starts_with("--config=") && arg != "--foreground") {
      return false;
    }
  }
  return true;
}

int fail(std::optional<gm::master::Detached>& detached, std::string_view message,
         bool logged_to_stderr) {
  gm::log::error(message);
  if (detached) {
    detached->failed(message);
  } else if (!logged_to_stderr) {
    std::fprintf(stderr, "gm-master: %s\n", std::string(message).c_str());
  }
  return kExitFailure;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace gm;
  core::ProgramInfo info{"gm-master", "start and supervise the GoodMessaging daemons", kUsage};
  if (auto code = core::handle_standard_options(argc, argv, info)) return *code;
  if (!valid_arguments(argc, argv)) {
    std::fprintf(stderr, "gm-master: usage: gm-master [-c FILE] [--foreground]\n");
    return kExitUsage;
  }
  bool foreground = core::has_flag(argc, argv, "--foreground");
  std::string config_path = master::absolute_path(core::config_path_from_args(argc, argv));
  auto config = master::MasterConfig::load(config_path);
  if (!config) {
    std::fprintf(stderr, "gm-master: %s\n", config.error().message.c_str());
    return kExitConfig;
  }
  master::start_logging(config->config);
  if (auto status = master::apply_open_files_limit(config->config); !status)
    log::warning(status.error().message);
  bool log_stderr = config->config.boolean("log_stderr");
  std::optional<master::Detached> detached;
  if (auto status = master::create_runtime_dirs(*config); !status)
    return fail(detached, status.error().message, log_stderr);
  auto control = master::ControlSocket::open(config->config.path("master_control_socket"));
  if (!control) return fail(detached, control.error().message, log_stderr);
  auto listeners = master::ListenerPool{}.rebind(*config);
  if (!listeners) {
    control->close();
    return fail(detached, listeners.error().message, log_stderr);
  }
  if (!foreground) {
    auto daemon = master::Detached::detach(log_stderr);
    if (!daemon) return fail(detached, daemon.error().message, log_stderr);
    detached = std::move(*daemon);
  }
  auto signals = master::SignalSource::open();
  if (!signals) return fail(detached, signals.error().message, log_stderr);
  if (auto status = master::write_pid_file(config->pid_file()); !status)
    return fail(detached, status.error().message, log_stderr);
  if (detached) detached->ready();
  master::Supervisor supervisor(std::move(*config), std::move(*listeners), std::move(*control),
                                std::move(*signals));
  return supervisor.run();
}
