// What the control socket answers: STATUS lines and STATUS-JSON
// (gm-master(8), CONTROL SOCKET).
#include <unistd.h>

#include <algorithm>

#include "core/json_writer.hpp"
#include "core/str.hpp"
#include "master/supervisor.hpp"

namespace gm::master {
namespace {

using std::chrono::duration_cast;
using std::chrono::seconds;

int64_t seconds_between(Clock::time_point from, Clock::time_point to) {
  return std::max<int64_t>(0, duration_cast<seconds>(to - from).count());
}

}  // namespace

std::string Supervisor::service_state(const Service& service) const {
  bool any_waiting = false;
  bool crash_loop = false;
  for (const Instance& instance : service.instances) {
    if (instance.pid != 0) continue;
    any_waiting = true;
    crash_loop = crash_loop || instance.crash_loop;
  }
  if (!any_waiting) return "running";
  if (draining(service.spec.name)) return "stopping";
  if (crash_loop) return "crash-loop";
  bool ever_started = std::any_of(service.instances.begin(), service.instances.end(),
                                  [](const Instance& i) { return i.starts > 0; });
  return ever_started ? "backoff" : "starting";
}

std::vector<core::ServiceStatus> Supervisor::status() const {
  Clock::time_point now = Clock::now();
  std::vector<core::ServiceStatus> out;
  for (const Service& service : services_) {
    core::ServiceStatus status;
    status.name = service.spec.name;
    status.state = service_state(service);
    for (const Instance& instance : service.instances) {
      if (instance.starts > 1) status.restarts += instance.starts - 1;
      if (instance.pid == 0) continue;
      status.pids.push_back(instance.pid);
      int64_t uptime = seconds_between(instance.started, now);
      if (status.uptime_seconds < 0 || uptime < status.uptime_seconds)
        status.uptime_seconds = uptime;
    }
    for (const core::ListenerSpec& listener : service.spec.listeners)
      status.listeners.push_back(listener.describe());
    out.push_back(std::move(status));
  }
  return out;
}

std::string Supervisor::status_json() const {
  Clock::time_point now = Clock::now();
  core::JsonWriter json;
  json.begin_object();
  json.key("master").begin_object();
  json.key("pid").value(static_cast<int64_t>(getpid()));
  json.key("uptime").value(seconds_between(master_started_, now));
  json.key("config").value(config_.config_path);
  json.key("service_table").value(config_.table.file);
  json.end_object();
  json.key("services").begin_array();
  std::vector<core::ServiceStatus> lines = status();
  for (size_t i = 0; i < services_.size(); ++i) {
    const Service& service = services_[i];
    const core::ServiceStatus& line = lines[i];
    json.begin_object();
    json.key("name").value(line.name);
    json.key("state").value(line.state);
    json.key("program").value(config_.program_path(service.spec));
    json.key("user").value(config_.account_of(service.spec).name);
    json.key("limit").value(static_cast<int64_t>(service.spec.limit));
    json.key("pids").begin_array();
    for (pid_t pid : line.pids) json.value(static_cast<int64_t>(pid));
    json.end_array();
    json.key("uptime");
    line.uptime_seconds < 0 ? json.null() : json.value(line.uptime_seconds);
    json.key("restarts").value(line.restarts);
    json.key("last_exit");
    std::string last_exit;
    std::optional<int64_t> next_start;
    for (const Instance& instance : service.instances) {
      if (!instance.last_exit.empty()) last_exit = instance.last_exit;
      if (instance.pid == 0 && instance.starts > 0) {
        int64_t in = seconds_between(now, instance.next_start);
        next_start = next_start ? std::min(*next_start, in) : in;
      }
    }
    last_exit.empty() ? json.null() : json.value(last_exit);
    json.key("next_start_in");
    next_start ? json.value(*next_start) : json.null();
    json.key("listeners").begin_array();
    for (const std::string& listener : line.listeners) json.value(listener);
    json.end_array();
    json.end_object();
  }
  json.end_array();
  json.end_object();
  return json.text();
}

std::string Supervisor::answer(std::string_view command) const {
  if (command == "STATUS") {
    std::string out;
    for (const core::ServiceStatus& line : status()) out += core::format_status_line(line) + "\n";
    return out + ".\n";
  }
  if (command == "STATUS-JSON") return status_json() + "\n";
  return str_cat("ERR unknown command '", printable(command, 64),
                 "'; commands: STATUS, STATUS-JSON\n");
}

}  // namespace gm::master
