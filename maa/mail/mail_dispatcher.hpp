// maa-mail's dispatcher (maa-mail(8)): takes each connection maa makes,
// checks the handoff (handoff_session.hpp) and passes the connection with
// its handoff line to the worker process of that user (SCM_RIGHTS), starting
// one when needed (worker_process.hpp, worker_table.hpp). The workers run
// the IMAP and POP3 engines, so one user's slow disk or large SEARCH never
// holds up another user. The dispatcher itself does no disk work per session
// beyond the handoff checks. A worker that crashes drops only its own
// sessions: the dispatcher logs and reaps it, and the user's next login
// starts a new one.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/unique_fd.hpp"
#include "handoff_session.hpp"
#include "mail_context.hpp"
#include "net/event_loop.hpp"
#include "net/fd_watch.hpp"
#include "worker_process.hpp"
#include "worker_table.hpp"

namespace gm::maa {

class MailDispatcher {
 public:
  MailDispatcher(net::EventLoop& loop, const core::Config& config, WorkerCommand command);
  ~MailDispatcher();  // SIGTERM to every worker: they end their sessions and exit
  MailDispatcher(const MailDispatcher&) = delete;
  MailDispatcher& operator=(const MailDispatcher&) = delete;

  // A connection from the "mail" listener.
  void take(UniqueFd fd);

 private:
  // A connection on its way to a worker whose socket was full.
  struct PendingPass {
    UniqueFd fd;
    std::string line;  // the handoff line, CRLF included
    std::string user;
  };
  struct Worker {
    WorkerId id = 0;
    pid_t pid = -1;
    std::string user;  // whom it was started for, for the log
    UniqueFd socket;
    std::deque<PendingPass> backlog;
    std::unique_ptr<net::FdWatch> readable;
    std::unique_ptr<net::FdWatch> writable;  // while the backlog waits
    std::unique_ptr<net::Timer> linger;
  };

  void handed_off(HandoffReader& reader, Result<mail::MaaHandoff> handoff);
  void pass(UniqueFd fd, const mail::MaaHandoff& handoff);
  Worker* start(WorkerId id, const std::string& user);
  void flush(Worker& worker);
  void read_from(Worker& worker);
  void session_ended(Worker& worker, const std::string& user);
  void retire(WorkerId id);
  void drop(WorkerId id);  // out of the table; the process is reaped later
  void reap();

  MailContext ctx_;
  WorkerTable table_;
  WorkerCommand command_;
  std::chrono::milliseconds linger_;
  std::map<HandoffReader*, std::unique_ptr<HandoffReader>> readers_;
  std::map<WorkerId, std::unique_ptr<Worker>> workers_;
  std::map<pid_t, std::string> exiting_;  // pid -> "worker [pid] for user": retired or lost
  // Destroyed from the loop, never inside their own callbacks.
  std::vector<std::unique_ptr<HandoffReader>> finished_readers_;
  std::vector<std::unique_ptr<Worker>> finished_workers_;
  net::Timer sweeper_;
  net::SignalHandler child_exited_;
};

}  // namespace gm::maa
