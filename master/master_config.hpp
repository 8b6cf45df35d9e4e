// Everything gm-master reads at start and on SIGHUP: gm.conf, the service
// table, and (when running as root) the accounts the services run as. A
// configuration that fails to load is never half-applied.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "core/config.hpp"
#include "core/privileges.hpp"
#include "core/result.hpp"
#include "core/service_table.hpp"
#include "master/restart_policy.hpp"

namespace gm::master {

struct MasterConfig {
  std::string config_path;  // absolute; passed to every daemon as -c
  core::Config config;
  core::ServiceTable table;
  bool as_root = false;
  // Service user name -> account; when not root every name maps to the
  // invoking user, so the whole instance runs as one account.
  std::map<std::string, core::Account, std::less<>> accounts;
  RestartPolicy restart;
  std::chrono::milliseconds stop_grace{10000};

  static Result<MasterConfig> load(const std::string& path);
  std::string program_path(const core::ServiceSpec& service) const;
  const core::Account& account_of(const core::ServiceSpec& service) const;
  // $run_dir/gm-master.pid
  std::string pid_file() const;
};

// gm::log as gm.conf says: log_level, syslog_facility, log_stderr.
void start_logging(const core::Config& config);

// An absolute form of a path given on the command line (the daemons and
// reloads must not depend on the working directory).
std::string absolute_path(const std::string& path);

}  // namespace gm::master
