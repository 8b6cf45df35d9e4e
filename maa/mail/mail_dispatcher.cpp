#include "mail_dispatcher.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "core/log.hpp"
#include "core/str.hpp"
#include "net/fd_passing.hpp"

namespace gm::maa {
namespace {

// Connections held for one worker whose socket is full (a burst of logins
// faster than it takes them, or a stopped worker); beyond, new ones drop.
constexpr size_t kMaxPassBacklog = 1024;

std::string describe(pid_t pid, const std::string& user) {
  return str_cat("worker [", static_cast<int64_t>(pid), "] for ", user);
}

std::string describe_exit(int status) {
  if (WIFSIGNALED(status))
    return str_cat("killed by signal ", WTERMSIG(status), " (", strsignal(WTERMSIG(status)), ")");
  return str_cat("exited with status ", WIFEXITED(status) ? WEXITSTATUS(status) : status);
}

}  // namespace

MailDispatcher::MailDispatcher(net::EventLoop& loop, const core::Config& config,
                               WorkerCommand command)
    : ctx_(loop, config),
      table_(static_cast<size_t>(std::max<int64_t>(config.integer("maa_mail_max_processes"), 1))),
      command_(std::move(command)),
      linger_(config.duration("maa_mail_worker_linger")),
      sweeper_(loop,
               [this] {
                 finished_readers_.clear();
                 finished_workers_.clear();
               }),
      child_exited_(loop, SIGCHLD, [this] { reap(); }) {}

MailDispatcher::~MailDispatcher() {
  for (const auto& [id, worker] : workers_) ::kill(worker->pid, SIGTERM);
  for (const auto& [pid, what] : exiting_) ::kill(pid, SIGTERM);
}

void MailDispatcher::take(UniqueFd fd) {
  auto reader = std::make_unique<HandoffReader>(
      ctx_, std::move(fd), [this](HandoffReader& r, Result<mail::MaaHandoff> handoff) {
        handed_off(r, std::move(handoff));
      });
  HandoffReader* raw = reader.get();
  readers_.emplace(raw, std::move(reader));
  raw->start();
}

void MailDispatcher::handed_off(HandoffReader& reader, Result<mail::MaaHandoff> handoff) {
  if (handoff) pass(reader.take_fd(), *handoff);
  auto it = readers_.find(&reader);
  finished_readers_.push_back(std::move(it->second));
  readers_.erase(it);
  sweeper_.start(std::chrono::milliseconds(0));
}

void MailDispatcher::pass(UniqueFd fd, const mail::MaaHandoff& handoff) {
  WorkerTable::Placement placement = table_.place(handoff.user);
  Worker* worker = nullptr;
  if (placement.new_worker) {
    worker = start(placement.worker, handoff.user);
    if (worker == nullptr) return table_.forget(placement.worker);  // logged; fd closes
  } else {
    worker = workers_.at(placement.worker).get();
  }
  worker->linger->cancel();
  if (worker->backlog.size() >= kMaxPassBacklog) {
    log::warning(str_cat(describe(worker->pid, worker->user), " takes no connection; dropped ",
                         handoff.user, "'s session ", handoff.session));
    return session_ended(*worker, handoff.user);  // maa shows the client a closed connection
  }
  log::info(str_cat(mail::protocol_name(handoff.protocol), " session ", handoff.session, " of ",
                    handoff.user, " to ", describe(worker->pid, worker->user)));
  worker->backlog.push_back({std::move(fd), mail::format_handoff(handoff), handoff.user});
  flush(*worker);
}

// Sends the waiting connections, oldest first, until the socket is full.
void MailDispatcher::flush(Worker& worker) {
  while (!worker.backlog.empty()) {
    PendingPass& next = worker.backlog.front();
    Status s = net::send_message(worker.socket.get(), next.line, next.fd.get());
    if (!s && (s.error().code == EAGAIN || s.error().code == EWOULDBLOCK))
      return worker.writable->start();
    if (!s) {
      log::warning(str_cat(describe(worker.pid, worker.user), ": cannot pass a session of ",
                           next.user, ": ", s.error().message));
      session_ended(worker, next.user);
    }
    worker.backlog.pop_front();
  }
  worker.writable->stop();
}

MailDispatcher::Worker* MailDispatcher::start(WorkerId id, const std::string& user) {
  auto started = start_worker(command_, user);
  if (!started) {
    log::error(str_cat("cannot start a worker for ", user, ": ", started.error().message));
    return nullptr;
  }
  auto worker = std::make_unique<Worker>();
  worker->id = id;
  worker->pid = started->pid;
  worker->user = user;
  worker->socket = std::move(started->socket);
  Worker* raw = worker.get();
  worker->readable =
      std::make_unique<net::FdWatch>(ctx_.loop, raw->socket.get(), net::FdWatch::Direction::kRead,
                                     [this, raw] { read_from(*raw); });
  worker->writable = std::make_unique<net::FdWatch>(
      ctx_.loop, raw->socket.get(), net::FdWatch::Direction::kWrite, [this, raw] { flush(*raw); });
  worker->readable->start();
  worker->linger = std::make_unique<net::Timer>(ctx_.loop, [this, id] {
    if (table_.sessions(id) == 0) retire(id);
  });
  workers_.emplace(id, std::move(worker));
  log::info(str_cat(describe(raw->pid, user), " started (", workers_.size(), " running)"));
  return raw;
}

void MailDispatcher::read_from(Worker& worker) {
  for (;;) {
    auto message = net::receive_message(worker.socket.get());
    if (!message || message->kind == net::PassedMessage::Kind::kPeerClosed) {
      if (!message)
        log::warning(str_cat(describe(worker.pid, worker.user), ": ", message.error().message));
      return drop(worker.id);  // it exited or broke the protocol; reap() reports how
    }
    if (message->kind == net::PassedMessage::Kind::kNothingYet) return;
    std::string_view text = message->text;
    auto fields = split(text, " ");
    size_t ended = 0;
    Result<std::string> user = make_error("malformed");
    if (text.starts_with(kSessionsDone) && fields.size() == 3 &&
        std::from_chars(fields[2].data(), fields[2].data() + fields[2].size(), ended).ec ==
            std::errc())
      user = mail::percent_decode(fields[1]);
    if (!user) {
      log::warning(str_cat(describe(worker.pid, worker.user), ": unexpected message"));
      continue;
    }
    for (size_t i = 0; i < ended; ++i) session_ended(worker, *user);
  }
}

void MailDispatcher::session_ended(Worker& worker, const std::string& user) {
  if (table_.session_ended(worker.id, user)) worker.linger->start(linger_);
}

// The worker sees its socket close and exits; no session of its is open.
void MailDispatcher::retire(WorkerId id) {
  log::info(str_cat(describe(workers_.at(id)->pid, workers_.at(id)->user), ": idle, retiring"));
  drop(id);
}

void MailDispatcher::drop(WorkerId id) {
  auto it = workers_.find(id);
  if (it == workers_.end()) return;
  table_.forget(id);
  Worker& worker = *it->second;
  worker.readable->stop();
  worker.writable->stop();
  worker.backlog.clear();  // those clients see their connection closed
  worker.linger->cancel();
  worker.socket.reset();
  exiting_[worker.pid] = describe(worker.pid, worker.user);
  finished_workers_.push_back(std::move(it->second));
  workers_.erase(it);
  sweeper_.start(std::chrono::milliseconds(0));
}

// SIGCHLD: every exited worker, so none stays a zombie.
void MailDispatcher::reap() {
  int status = 0;
  pid_t pid;
  while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
    WorkerId ended = 0;  // ids start at 1
    for (const auto& [id, worker] : workers_)
      if (worker->pid == pid) ended = id;
    if (ended != 0) drop(ended);  // its socket had not told us yet
    auto it = exiting_.find(pid);
    std::string what = it == exiting_.end() ? describe(pid, "?") : it->second;
    if (it != exiting_.end()) exiting_.erase(it);
    bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    log::write(
        clean ? log::Level::kInfo : log::Level::kError, {},
        str_cat(what, " ", describe_exit(status),
                clean ? "" : "; its sessions were dropped, the next login starts a new one"));
  }
}

}  // namespace gm::maa
