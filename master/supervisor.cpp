#include "master/supervisor.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/log.hpp"
#include "core/str.hpp"
#include "master/child_process.hpp"

namespace gm::master {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

constexpr int kMaxPollTimeoutMs = 60 * 1000;

std::string listener_list(const core::ServiceSpec& spec) {
  std::string out;
  for (const core::ListenerSpec& listener : spec.listeners)
    out += out.empty() ? listener.describe() : " " + listener.describe();
  return out.empty() ? "none" : out;
}

}  // namespace

Service make_service(const core::ServiceSpec& spec, Clock::time_point now) {
  Service service{spec, {}};
  service.instances.resize(static_cast<size_t>(spec.limit));
  for (Instance& instance : service.instances) instance.next_start = now;
  return service;
}

Supervisor::Supervisor(MasterConfig config, ListenerPool listeners, ControlSocket control,
                       SignalSource signals)
    : config_(std::move(config)),
      listeners_(std::move(listeners)),
      control_(std::move(control)),
      signals_(std::move(signals)),
      master_started_(Clock::now()) {
  for (const core::ServiceSpec& spec : config_.table.services)
    services_.push_back(make_service(spec, master_started_));
}

int Supervisor::run() {
  log::info(str_cat("gm-master started: pid ", static_cast<int64_t>(getpid()), ", ",
                    services_.size(), " services from ", config_.table.file));
  for (;;) {
    start_due(Clock::now());
    pollfd fds[] = {{signals_.fd(), POLLIN, 0}, {control_.fd(), POLLIN, 0}};
    int rc = ::poll(fds, 2, poll_timeout_ms(Clock::now()));
    if (rc < 0 && errno != EINTR) {
      log::error(str_cat("poll: ", std::strerror(errno)));
      continue;
    }
    PendingSignals pending = signals_.read_pending();
    if (pending.child) reap_children();
    if (pending.stop) {
      shutdown();
      return 0;
    }
    if (pending.reload) reload();
    if (fds[1].revents & POLLIN)
      control_.serve([this](std::string_view command) { return answer(command); });
    kill_overdue(Clock::now());
  }
}

int Supervisor::poll_timeout_ms(Clock::time_point now) const {
  Clock::time_point next = now + milliseconds(kMaxPollTimeoutMs);
  for (const Service& service : services_) {
    // Waits for its old processes, whose exit (SIGCHLD) or kill_at wakes us.
    if (draining(service.spec.name)) continue;
    for (const Instance& instance : service.instances)
      if (instance.pid == 0) next = std::min(next, instance.next_start);
  }
  for (const Draining& process : draining_)
    if (!process.killed) next = std::min(next, process.kill_at);
  if (next <= now) return 0;
  // Rounded up, so a wake-up is never a millisecond early (and spinning).
  return static_cast<int>(duration_cast<milliseconds>(next - now).count()) + 1;
}

bool Supervisor::draining(std::string_view service) const {
  return std::any_of(draining_.begin(), draining_.end(),
                     [&](const Draining& process) { return process.service == service; });
}

void Supervisor::start_due(Clock::time_point now) {
  for (Service& service : services_) {
    // A changed service starts again only once its old processes are gone.
    if (draining(service.spec.name)) continue;
    for (Instance& instance : service.instances)
      if (instance.pid == 0 && instance.next_start <= now) start_instance(service, instance, now);
  }
}

void Supervisor::start_instance(Service& service, Instance& instance, Clock::time_point now) {
  const core::ServiceSpec& spec = service.spec;
  SpawnRequest request{
      spec.name,   config_.program_path(spec), config_.config_path, listeners_.fds_for(spec), {},
      std::nullopt};
  for (const core::ListenerSpec& listener : spec.listeners)
    request.listen_names.push_back(listener.name);
  if (config_.as_root) request.account = config_.account_of(spec);
  ++instance.starts;
  auto pid = spawn_child(request);
  if (!pid) {
    log::error(str_cat("service ", spec.name, ": cannot start: ", pid.error().message));
    instance.last_exit = pid.error().message;
    instance.started = now;
    schedule_restart(service, instance, now);
    return;
  }
  instance.pid = *pid;
  instance.started = now;
  std::string what =
      instance.starts == 1 ? "started" : str_cat("restarted (restart #", instance.starts - 1, ")");
  log::info(str_cat("service ", spec.name, " ", what, ": pid ", static_cast<int64_t>(*pid), ", ",
                    request.program_path, " as ", config_.account_of(spec).name, ", listeners ",
                    listener_list(spec)));
}

void Supervisor::reap_children() {
  Clock::time_point now = Clock::now();
  int wait_status = 0;
  pid_t pid;
  while ((pid = waitpid(-1, &wait_status, WNOHANG)) > 0) {
    auto drained = std::find_if(draining_.begin(), draining_.end(),
                                [&](const Draining& process) { return process.pid == pid; });
    if (drained != draining_.end()) {
      log::info(str_cat("service ", drained->service, " pid ", static_cast<int64_t>(pid),
                        " stopped: ", describe_wait_status(wait_status)));
      draining_.erase(drained);
      continue;
    }
    bool found = false;
    for (Service& service : services_)
      for (Instance& instance : service.instances)
        if (instance.pid == pid) {
          on_exit(service, instance, wait_status, now);
          found = true;
        }
    if (!found) log::debug(str_cat("reaped unknown pid ", static_cast<int64_t>(pid)));
  }
}

void Supervisor::on_exit(Service& service, Instance& instance, int wait_status,
                         Clock::time_point now) {
  auto uptime = duration_cast<milliseconds>(now - instance.started);
  instance.last_exit = describe_wait_status(wait_status);
  log::warning(str_cat("service ", service.spec.name, " pid ", static_cast<int64_t>(instance.pid),
                       " ", instance.last_exit, " after ", describe_duration(uptime)));
  instance.pid = 0;
  schedule_restart(service, instance, now);
}

void Supervisor::schedule_restart(Service& service, Instance& instance, Clock::time_point now) {
  auto uptime = duration_cast<milliseconds>(now - instance.started);
  RestartDecision decision = instance.tracker.on_exit(now, uptime, config_.restart);
  instance.next_start = now + decision.delay;
  instance.crash_loop = decision.crash_loop;
  if (decision.crash_loop) {
    log::error(str_cat("service ", service.spec.name,
                       " is crash-looping: ", decision.exits_in_window, " exits in ",
                       describe_duration(config_.restart.crash_loop_window), "; next try in ",
                       describe_duration(decision.delay)));
  } else {
    log::notice(str_cat("service ", service.spec.name, ": restarting in ",
                        describe_duration(decision.delay)));
  }
}

void Supervisor::kill_overdue(Clock::time_point now) {
  for (Draining& process : draining_) {
    if (process.killed || now < process.kill_at) continue;
    log::warning(str_cat("service ", process.service, " pid ", static_cast<int64_t>(process.pid),
                         " did not stop within stop_grace_period: sending SIGKILL"));
    ::kill(process.pid, SIGKILL);
    process.killed = true;
  }
}

void Supervisor::shutdown() {
  log::info("stopping: sending SIGTERM to every service");
  control_.close();
  Clock::time_point deadline = Clock::now() + config_.stop_grace;
  for (Service& service : services_) drain(service, "gm-master is stopping");
  services_.clear();
  for (Draining& process : draining_) process.kill_at = std::min(process.kill_at, deadline);
  while (!draining_.empty()) {
    kill_overdue(Clock::now());
    pollfd entry{signals_.fd(), POLLIN, 0};
    int timeout = poll_timeout_ms(Clock::now());
    if (std::all_of(draining_.begin(), draining_.end(), [](const Draining& p) { return p.killed; }))
      timeout = kMaxPollTimeoutMs;  // SIGKILL always ends a process; wait for the reap
    ::poll(&entry, 1, timeout);
    signals_.read_pending();
    reap_children();
  }
  listeners_.unlink_all();
  ::unlink(config_.pid_file().c_str());
  log::info("gm-master stopped");
}

}  // namespace gm::master
