#include "login_relay.hpp"

#include "core/log.hpp"
#include "core/str.hpp"
#include "net/ipc.hpp"

namespace gm::maa {

void LoginRelay::prepare(mail::MaaHandoff handoff, Ready ready) {
  handoff_ = std::move(handoff);
  ready_ = std::move(ready);
  conn_.pause_input();
  ctx_.directory.lookup(handoff_.user, [this, alive = std::weak_ptr<bool>(alive_)](
                                           Result<auth::DirectoryEntry> entry) {
    if (alive.lock()) looked_up(std::move(entry));
  });
}

void LoginRelay::looked_up(Result<auth::DirectoryEntry> entry) {
  auto fail = [this](RelayFailure why, std::string_view log_text) {
    log::write(log::Level::kWarning, conn_.session_id(), log_text);
    conn_.resume_input();
    ready_(why);
  };
  if (!entry) return fail(RelayFailure::kUnavailable, "directory lookup: " + entry.error().message);
  if (entry->kind != auth::DirectoryEntry::Kind::kUser || entry->mailbox.empty())
    return fail(RelayFailure::kUnavailable, str_cat("no mailbox for ", handoff_.user));
  slot_ = ctx_.sessions.take(handoff_.user);
  if (!slot_)
    return fail(RelayFailure::kTooManySessions, str_cat("too many sessions for ", handoff_.user));
  handoff_.maildir = str_cat(ctx_.mail_dir, "/", entry->mailbox);
  // A local socket: connect() does not block (a full backlog is an error).
  auto fd = net::connect_unix(ctx_.mail_socket, std::chrono::milliseconds(0));
  if (!fd) {
    slot_ = {};
    return fail(RelayFailure::kUnavailable, "maa-mail: " + fd.error().message);
  }
  backend_ = std::move(*fd);
  ready_(std::nullopt);
}

void LoginRelay::start(std::chrono::milliseconds idle_timeout) {
  log::write(log::Level::kInfo, conn_.session_id(),
             str_cat("login ", handoff_.user, " ", mail::protocol_name(handoff_.protocol)));
  conn_.set_timeouts(idle_timeout, std::chrono::milliseconds(0));
  proxy_ = std::make_unique<net::StreamProxy>(conn_, std::move(backend_));
  proxy_->start(mail::format_handoff(handoff_));
  conn_.resume_input();
}

}  // namespace gm::maa
