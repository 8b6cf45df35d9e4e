// The first thing maa-mail's dispatcher does with a connection from maa:
// check who is calling (SO_PEERCRED: only unprivileged_user or our own user
// may hand a client over, whatever the socket's mode), read the handoff
// line, and check that the maildir is inside mail_dir (realpath: no "..",
// no symlink out). The line is read without reading past it, so every
// later byte of the client stays in the socket for the worker process the
// connection goes to (maa-mail(8)).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/result.hpp"
#include "core/unique_fd.hpp"
#include "mail/maa_handoff.hpp"
#include "mail_context.hpp"
#include "net/event_loop.hpp"
#include "net/fd_watch.hpp"
#include "net/session.hpp"

namespace gm::maa {

// maa sends the handoff at once; a peer that does not is not maa.
inline constexpr std::chrono::milliseconds kHandoffTimeout{10'000};

// The maildir's real path when it lies inside mail_dir_real (creating the
// Maildir when the user has none yet: no mail was delivered so far).
Result<std::string> checked_maildir(const std::string& mail_dir_real, const std::string& maildir);

class HandoffReader {
 public:
  // Called once: with the checked handoff (its maildir resolved), or with
  // an error already logged (the connection is then closed). The reader
  // may be destroyed after the call returns, not inside it.
  using Done = std::function<void(HandoffReader& reader, Result<mail::MaaHandoff> handoff)>;

  HandoffReader(MailContext& ctx, UniqueFd fd, Done done);
  HandoffReader(const HandoffReader&) = delete;
  HandoffReader& operator=(const HandoffReader&) = delete;

  // Checks the peer, then reads; `done` may be called from inside.
  void start();

  // The connection, positioned just after the handoff line.
  UniqueFd take_fd() { return std::move(fd_); }
  const std::string& log_id() const { return log_id_; }

 private:
  void read();
  void finish(Result<mail::MaaHandoff> handoff);
  void fail(std::string_view why);

  MailContext& ctx_;
  UniqueFd fd_;
  Done done_;
  std::string log_id_;
  std::string line_;  // read so far, no LF in it
  net::Timer timeout_;
  net::FdWatch watch_;
};

// The IMAP and POP3 engines a worker runs for a handed-off connection.
std::unique_ptr<net::Session> make_mail_engine(MailContext& ctx, mail::MaaHandoff handoff);

// The IMAP engine's dispatch point (imap_dispatch.cpp).
std::unique_ptr<net::Session> make_imap_engine(MailContext& ctx, mail::MaaHandoff handoff);

}  // namespace gm::maa
