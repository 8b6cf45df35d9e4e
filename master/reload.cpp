// SIGHUP: read gm.conf and the service table again and move to them without
// disturbing what did not change (gm-master(8), SIGNALS).
#include <signal.h>

#include <algorithm>

#include "core/log.hpp"
#include "core/str.hpp"
#include "master/supervisor.hpp"

namespace gm::master {
namespace {

constexpr const char* kRestartOnlyKeys[] = {"run_dir", "master_control_socket"};

}  // namespace

void Supervisor::reload() {
  log::info(str_cat("reloading ", config_.config_path));
  auto next = MasterConfig::load(config_.config_path);
  if (!next) {
    log::error(str_cat("reload failed, keeping the running configuration: ", next.error().message));
    return;
  }
  auto listeners = listeners_.rebind(*next);
  if (!listeners) {
    log::error(
        str_cat("reload failed, keeping the running configuration: ", listeners.error().message));
    return;
  }
  apply(std::move(*next), std::move(*listeners));
}

void Supervisor::apply(MasterConfig next, ListenerPool listeners) {
  for (const char* key : kRestartOnlyKeys)
    if (next.config.path(key) != config_.config.path(key))
      log::warning(str_cat(key, " changed; it takes effect when gm-master restarts"));
  Clock::time_point now = Clock::now();
  std::vector<Service> kept;
  for (Service& service : services_) {
    const core::ServiceSpec* spec = next.table.find(service.spec.name);
    if (spec == nullptr) {
      drain(service, "removed from the service table");
    } else if (!spec->same_definition(service.spec)) {
      drain(service, "definition changed");
    } else {
      for (const Instance& instance : service.instances) {
        if (instance.pid == 0) continue;
        log::info(str_cat("service ", service.spec.name, " unchanged: forwarding SIGHUP to pid ",
                          static_cast<int64_t>(instance.pid)));
        ::kill(instance.pid, SIGHUP);
      }
      service.spec = *spec;  // same definition; the line may have moved
      kept.push_back(std::move(service));
    }
  }
  std::vector<Service> services;
  for (const core::ServiceSpec& spec : next.table.services) {
    auto it = std::find_if(kept.begin(), kept.end(),
                           [&](const Service& s) { return s.spec.name == spec.name; });
    if (it != kept.end()) {
      services.push_back(std::move(*it));
      continue;
    }
    log::info(str_cat("service ", spec.name, ": starting with the new definition"));
    services.push_back(make_service(spec, now));
  }
  services_ = std::move(services);
  listeners_.unlink_dropped(listeners);
  listeners_ = std::move(listeners);
  config_ = std::move(next);
  start_logging(config_.config);
  log::info(str_cat("reloaded: ", services_.size(), " services from ", config_.table.file));
}

// Sends SIGTERM to the service's processes and tracks them until they exit
// (SIGKILL after stop_grace_period). The service's slots are left empty.
void Supervisor::drain(Service& service, std::string_view why) {
  Clock::time_point kill_at = Clock::now() + config_.stop_grace;
  for (Instance& instance : service.instances) {
    if (instance.pid == 0) continue;
    log::info(str_cat("service ", service.spec.name, " (", why, "): sending SIGTERM to pid ",
                      static_cast<int64_t>(instance.pid)));
    ::kill(instance.pid, SIGTERM);
    draining_.push_back({instance.pid, service.spec.name, kill_at, false});
    instance.pid = 0;
  }
}

}  // namespace gm::master
