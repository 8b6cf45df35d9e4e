// The supervisor: keeps every service of the table running, restarts the
// ones that exit (restart_policy.hpp), reloads on SIGHUP, stops everything
// on SIGTERM, and answers the control socket. Single-threaded: one poll()
// over the signalfd and the control socket, with the next restart or kill
// deadline as its timeout.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "core/service_status.hpp"
#include "master/control_socket.hpp"
#include "master/listener_pool.hpp"
#include "master/master_config.hpp"
#include "master/restart_policy.hpp"
#include "master/signals.hpp"

namespace gm::master {

// One of the `limit` process slots of a service.
struct Instance {
  pid_t pid = 0;  // 0: not running
  Clock::time_point started{};
  Clock::time_point next_start{};  // when not running
  int starts = 0;
  bool crash_loop = false;
  std::string last_exit;  // describe_wait_status() of the last exit, or a start error
  RestartTracker tracker;
};

struct Service {
  core::ServiceSpec spec;
  std::vector<Instance> instances;
};

// A service whose slots are all due to start at now.
Service make_service(const core::ServiceSpec& spec, Clock::time_point now);

// A process being stopped (its service was removed or changed): SIGTERM
// sent, SIGKILL due at kill_at.
struct Draining {
  pid_t pid = 0;
  std::string service;
  Clock::time_point kill_at{};
  bool killed = false;
};

class Supervisor {
 public:
  Supervisor(MasterConfig config, ListenerPool listeners, ControlSocket control,
             SignalSource signals);
  // Runs until SIGTERM/SIGINT; returns master's exit code.
  int run();

  std::vector<core::ServiceStatus> status() const;
  std::string status_json() const;

 private:
  void start_due(Clock::time_point now);
  void start_instance(Service& service, Instance& instance, Clock::time_point now);
  void on_exit(Service& service, Instance& instance, int wait_status, Clock::time_point now);
  void schedule_restart(Service& service, Instance& instance, Clock::time_point now);
  void reap_children();
  void reload();
  void apply(MasterConfig next, ListenerPool listeners);
  void drain(Service& service, std::string_view why);
  void kill_overdue(Clock::time_point now);
  void shutdown();
  bool draining(std::string_view service) const;
  int poll_timeout_ms(Clock::time_point now) const;
  std::string answer(std::string_view command) const;
  std::string service_state(const Service& service) const;

  MasterConfig config_;
  ListenerPool listeners_;
  ControlSocket control_;
  SignalSource signals_;
  std::vector<Service> services_;
  std::vector<Draining> draining_;
  Clock::time_point master_started_;
};

}  // namespace gm::master
