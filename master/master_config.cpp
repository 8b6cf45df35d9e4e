#include "master/master_config.hpp"

#include <unistd.h>

#include "core/log.hpp"
#include "core/str.hpp"

namespace gm::master {
namespace {

constexpr int64_t kMaxCrashLoopRestarts = 1000;

Status resolve_accounts(MasterConfig& master) {
  if (!master.as_root) {
    core::Account self = core::current_account();
    for (const core::ServiceSpec& service : master.table.services)
      master.accounts[service.user] = self;
    return {};
  }
  for (const char* key : {"unprivileged_user", "mail_user"}) {
    std::string user = master.config.string(key);
    auto account = core::lookup_account(user);
    if (!account)
      return make_error(
          str_cat(master.config.origin(key), ": ", key, ": ", account.error().message));
    master.accounts[user] = *account;
  }
  for (const core::ServiceSpec& service : master.table.services) {
    if (master.accounts.contains(service.user)) continue;
    auto account = core::lookup_account(service.user);
    if (!account)
      return make_error(str_cat(master.table.file, ":", service.line, ": service '", service.name,
                                "': ", account.error().message));
    master.accounts[service.user] = *account;
  }
  return {};
}

Status check_settings(const MasterConfig& master) {
  if (auto level = log::parse_level(master.config.string("log_level")); !level)
    return make_error(
        str_cat(master.config.origin("log_level"), ": log_level: ", level.error().message));
  const RestartPolicy& policy = master.restart;
  if (policy.backoff_min.count() <= 0)
    return make_error(str_cat(master.config.origin("restart_backoff_min"),
                              ": restart_backoff_min must be more than 0"));
  if (policy.backoff_max < policy.backoff_min)
    return make_error(str_cat(master.config.origin("restart_backoff_max"),
                              ": restart_backoff_max is less than restart_backoff_min"));
  int64_t restarts = master.config.integer("crash_loop_restarts");
  if (restarts < 1 || restarts > kMaxCrashLoopRestarts)
    return make_error(str_cat(master.config.origin("crash_loop_restarts"),
                              ": crash_loop_restarts must be between 1 and ",
                              kMaxCrashLoopRestarts));
  return {};
}

}  // namespace

void start_logging(const core::Config& config) {
  auto level = log::parse_level(config.string("log_level"));
  log::init({"gm-master", level ? *level : log::Level::kInfo, config.string("syslog_facility"),
             config.boolean("log_stderr")});
}

std::string absolute_path(const std::string& path) {
  if (path.empty() || path.front() == '/') return path;
  char cwd[4096];
  if (getcwd(cwd, sizeof cwd) == nullptr) return path;
  return str_cat(cwd, "/", path);
}

Result<MasterConfig> MasterConfig::load(const std::string& path) {
  auto config = core::Config::load(path);
  if (!config) return config.error();
  auto table = core::load_service_table(*config);
  if (!table) return table.error();
  MasterConfig master{path, std::move(*config), std::move(*table), false, {}, {}, {}};
  master.as_root = geteuid() == 0;
  master.restart.backoff_min = master.config.duration("restart_backoff_min");
  master.restart.backoff_max = master.config.duration("restart_backoff_max");
  master.restart.crash_loop_window = master.config.duration("crash_loop_window");
  master.stop_grace = master.config.duration("stop_grace_period");
  if (auto status = check_settings(master); !status) return status.error();
  master.restart.crash_loop_restarts =
      static_cast<int>(master.config.integer("crash_loop_restarts"));
  if (auto status = resolve_accounts(master); !status) return status.error();
  return master;
}

std::string MasterConfig::program_path(const core::ServiceSpec& service) const {
  return str_cat(config.path("daemon_directory"), "/", service.program);
}

std::string MasterConfig::pid_file() const {
  return str_cat(config.path("run_dir"), "/gm-master.pid");
}

const core::Account& MasterConfig::account_of(const core::ServiceSpec& service) const {
  return accounts.at(service.user);
}

}  // namespace gm::master
