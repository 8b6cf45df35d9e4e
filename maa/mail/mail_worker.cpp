#include "mail_worker.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <map>
#include <memory>
#include <stdexcept>

#include "core/config.hpp"
#include "core/log.hpp"
#include "core/program.hpp"
#include "core/str.hpp"
#include "handoff_session.hpp"
#include "mail/maa_handoff.hpp"
#include "mail_context.hpp"
#include "net/connection_set.hpp"
#include "net/fd_passing.hpp"
#include "net/fd_watch.hpp"
#include "net/server.hpp"
#include "worker_process.hpp"

namespace gm::maa {
namespace {

class MailWorker {
 public:
  MailWorker(net::EventLoop& loop, std::shared_ptr<const core::Config> config)
      : loop_(loop),
        config_(std::move(config)),
        ctx_(loop, *config_),
        connections_(loop),
        socket_(kWorkerSocketFd),
        watch_(loop, kWorkerSocketFd, net::FdWatch::Direction::kRead, [this] { receive(); }),
        writable_(loop, kWorkerSocketFd, net::FdWatch::Direction::kWrite, [this] { report(); }),
        exit_check_(loop, [this] { exit_if_done(); }),
        term_(loop, SIGTERM, [this] { stop("SIGTERM"); }),
        int_(loop, SIGINT, [this] { stop("SIGINT"); }),
        // gm.conf changes reach the workers started after the reload.
        hup_(loop, SIGHUP, [] {}) {
    watch_.start();
  }

 private:
  void receive();
  void serve(UniqueFd fd, mail::MaaHandoff handoff);
  void session_ended(const std::string& user);
  void report();
  void exit_if_done();
  void stop(std::string_view why);

  net::EventLoop& loop_;
  std::shared_ptr<const core::Config> config_;
  MailContext ctx_;
  net::ConnectionSet connections_;
  UniqueFd socket_;
  net::FdWatch watch_;
  net::FdWatch writable_;  // while ended sessions wait to be reported
  // Ended sessions not yet reported, per user: a burst of them may fill
  // the socket while the dispatcher is busy, and none may be lost (the
  // dispatcher retires a worker only when every session is reported).
  std::map<std::string, size_t> unreported_;
  bool dispatcher_gone_ = false;
  net::Timer exit_check_;
  net::SignalHandler term_;
  net::SignalHandler int_;
  net::SignalHandler hup_;
};

void MailWorker::receive() {
  for (;;) {
    auto message = net::receive_message(socket_.get());
    if (message && message->kind == net::PassedMessage::Kind::kNothingYet) return;
    if (!message || message->kind == net::PassedMessage::Kind::kPeerClosed) {
      if (!message) log::error(str_cat("dispatcher socket: ", message.error().message));
      watch_.stop();
      dispatcher_gone_ = true;
      return exit_check_.start(std::chrono::milliseconds(0));
    }
    std::string_view line = message->text;
    if (line.ends_with("\r\n")) line.remove_suffix(2);
    auto handoff = mail::parse_handoff(line);
    if (!handoff || !message->fd) {
      log::error(str_cat("bad message from the dispatcher: ",
                         handoff ? "no connection with it" : handoff.error().message));
      continue;
    }
    serve(std::move(message->fd), std::move(*handoff));
  }
}

void MailWorker::serve(UniqueFd fd, mail::MaaHandoff handoff) {
  bool pop3 = handoff.protocol == mail::AccessProtocol::kPop3;
  auto limits = net::ConnectionLimits::from_config(*config_);
  // After login: the protocol's idle timeout, no session timeout.
  limits.idle_timeout = pop3 ? ctx_.pop3_idle_timeout : ctx_.imap_idle_timeout;
  limits.session_timeout = std::chrono::milliseconds(0);
  std::string handed = str_cat("handoff ", mail::protocol_name(handoff.protocol), " ", handoff.user,
                               " from [", handoff.client, "] session ", handoff.session);
  std::string user = handoff.user;
  net::ConnectionParams params{std::move(fd), "", 0, "mail", limits, nullptr, false, config_};
  net::Connection& connection =
      connections_.add(std::move(params), make_mail_engine(ctx_, std::move(handoff)),
                       [this, user](net::Connection&) { session_ended(user); });
  log::write(log::Level::kInfo, connection.session_id(), handed);
  connection.start();  // the engine sends nothing for IMAP: maa answered the login
}

void MailWorker::session_ended(const std::string& user) {
  if (!dispatcher_gone_) ++unreported_[user];
  report();
  exit_check_.start(std::chrono::milliseconds(0));  // after the set has let the connection go
}

// "done <user> <sessions>" for each user with ended sessions.
void MailWorker::report() {
  while (!unreported_.empty() && !dispatcher_gone_) {
    auto it = unreported_.begin();
    Status s = net::send_message(
        socket_.get(), str_cat(kSessionsDone, mail::percent_encode(it->first), " ", it->second));
    if (!s && (s.error().code == EAGAIN || s.error().code == EWOULDBLOCK)) return writable_.start();
    if (!s) log::error(str_cat("dispatcher socket: ", s.error().message));
    unreported_.erase(it);
  }
  writable_.stop();
}

void MailWorker::exit_if_done() {
  if (dispatcher_gone_ && connections_.size() == 0) loop_.stop();
}

void MailWorker::stop(std::string_view why) {
  log::notice(str_cat(why, ": stopping"));
  connections_.close_all();
  loop_.stop();
}

}  // namespace

int run_mail_worker(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  std::string user = worker_user_from_args(argc, argv);
  auto config = core::Config::load(core::config_path_from_args(argc, argv));
  if (!config) {
    std::fprintf(stderr, "maa-mail worker: %s\n", config.error().message.c_str());
    return net::kExitConfig;
  }
  // "maa-mail/alice@example.test": the user in every line of its log.
  if (Status s = net::init_logging(str_cat("maa-mail/", user), *config); !s) {
    std::fprintf(stderr, "maa-mail worker: %s\n", s.error().message.c_str());
    return net::kExitConfig;
  }
  net::raise_open_files_limit();
  try {
    net::EventLoop loop;
    MailWorker worker(loop, std::make_shared<const core::Config>(std::move(*config)));
    loop.run();
  } catch (const std::runtime_error& e) {
    log::error(e.what());
    return net::kExitSoftware;
  }
  return 0;
}

}  // namespace gm::maa
