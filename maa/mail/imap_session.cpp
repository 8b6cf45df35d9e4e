// ImapSession: input, dispatch through the command table, the tagged
// answer and the untagged updates that precede it (RFC 9051 7.5).
#include "imap_session.hpp"

#include <algorithm>

#include "core/log.hpp"
#include "imap_flags.hpp"
#include "imap_session_jobs.hpp"
#include "net/connection.hpp"

namespace gm::maa {

namespace {

// RFC 9051 7.5.1: no EXPUNGE while answering FETCH, STORE or SEARCH by
// sequence number (the client could not tell which message a number
// meant); the UID forms may announce them.
bool may_announce_expunges(const mail::ImapCommand& command) {
  if (command.uid) return true;
  return command.name != "FETCH" && command.name != "STORE" && command.name != "SEARCH" &&
         command.name != "SORT" && command.name != "THREAD";
}

}  // namespace

ImapSession::ImapSession(MailContext& context, mail::MaaHandoff handoff)
    : context_(context),
      handoff_(std::move(handoff)),
      reader_(context.imap_reader),
      store_(handoff_.maildir) {
  reader_.on_continuation([this] { write("+ Ready for literal data\r\n"); });
  reader_.on_literal(
      [this](const mail::ImapLiteralAnnounce& announce) { return append_sink(announce); });
}

ImapSession::~ImapSession() = default;

void ImapSession::on_connect(net::Connection& c) {
  conn_ = &c;
  // The handoff session already set imap_idle_timeout (RFC 9051 5.4: at
  // least 30 minutes).
  c.read_all_raw();
}

void ImapSession::on_line(net::Connection& c, std::string_view line) {
  // Only before on_connect switched to raw bytes (a dispatch that hands
  // lines over): the reader wants the line end back.
  conn_ = &c;
  pending_input_.append(line).append("\r\n");
  process_input();
}

void ImapSession::on_line_too_long(net::Connection& c) {
  conn_ = &c;
  write(format_reply("*", imap_reply::bad("Line too long")));
}

void ImapSession::on_data(net::Connection& c, std::string_view chunk, bool last) {
  (void)last;
  conn_ = &c;
  if (!compress_) {
    pending_input_.append(chunk);
  } else if (Status s = compress_->decompress(chunk, pending_input_); !s) {
    write(format_bye(s.error().message));
    state_ = ImapState::kLogout;
    c.close_after_flush();
    return;
  }
  process_input();
}

void ImapSession::process_input() {
  while (input_ != ImapInput::kBusy && state_ != ImapState::kLogout) {
    size_t used = reader_.feed(pending_input_);
    pending_input_.erase(0, used);
    auto result = reader_.take();
    if (!result) {
      if (used == 0 || pending_input_.empty()) break;
      continue;
    }
    handle(std::move(*result));
  }
  if (input_ == ImapInput::kBusy && conn_ != nullptr) conn_->pause_input();
}

void ImapSession::handle(mail::ImapReaderResult result) {
  if (auto* line = std::get_if<mail::ImapRawLine>(&result)) {
    if (input_ == ImapInput::kIdle) idle_done(line->text);
    return;
  }
  if (auto* error = std::get_if<mail::ImapSyntaxError>(&result)) {
    ImapReply reply = error->kind == mail::ImapErrorKind::kNo
                          ? imap_reply::no(error->text, error->code)
                          : imap_reply::bad(error->text, error->code);
    append_.reset();
    finish_tagged(error->tag.empty() ? "*" : error->tag, reply);
    return;
  }
  dispatch(std::get<mail::ImapCommand>(result));
}

void ImapSession::dispatch(const mail::ImapCommand& command) {
  auto table = commands();
  auto spec = std::find_if(table.begin(), table.end(),
                           [&](const ImapCommandSpec& s) { return s.name == command.name; });
  if (spec == table.end() || (command.uid && !spec->uid_form)) {
    append_.reset();
    return finish_tagged(command.tag, imap_reply::unknown_command(
                                          command.uid ? "UID " + command.name : command.name));
  }
  if (!(spec->states & state_bit(state_))) {
    append_.reset();
    std::string_view where = spec->states == kNeverHere ? "logged-in" : state_name(state_);
    return finish_tagged(command.tag, imap_reply::wrong_state(command.name, where));
  }
  size_t n = command.args.size();
  if (n < spec->min_args || (spec->max_args != kAnyArgs && n > spec->max_args)) {
    append_.reset();
    return finish_tagged(command.tag,
                         imap_reply::syntax("Wrong number of arguments to " + command.name));
  }
  (this->*spec->proceed)(command);
}

void ImapSession::finish(const mail::ImapCommand& command, const ImapReply& reply) {
  if (state_ == ImapState::kSelected) refresh_selected(may_announce_expunges(command));
  finish_tagged(command.tag, reply);
}

void ImapSession::finish_tagged(std::string_view tag, const ImapReply& reply) {
  out_ += format_reply(tag, reply);
  flush();
}

void ImapSession::untagged(std::string_view text) {
  out_.append("* ").append(text).append("\r\n");
}

void ImapSession::flush() {
  if (out_.empty()) return;
  write(out_);
  out_.clear();
}

void ImapSession::write(std::string_view bytes) {
  if (conn_ == nullptr) return;
  if (!compress_) return conn_->send(bytes);
  std::string packed;
  compress_->compress(bytes, packed);
  conn_->send(packed);
}

void ImapSession::refresh_selected(bool announce_expunges, bool synced) {
  if (!selected_) return;
  if (!synced) {
    auto changes = selected_->folder->sync();
    if (!changes) {
      log::write(log::Level::kWarning, handoff_.session,
                 "sync of " + selected_->name + " failed: " + changes.error().message);
      return;
    }
  }
  // Another session may have run the sync() that found the rebuild: the
  // UIDVALIDITY this client was given decides.
  if (selected_->folder->uid_validity() != selected_->uid_validity) {
    // RFC 9051 2.3.1.1: UIDs may not change under a selected mailbox; the
    // client must select it again and resync.
    out_ += format_bye("Mailbox " + selected_->name + " was rebuilt with a new UIDVALIDITY");
    state_ = ImapState::kLogout;
    flush();
    if (conn_ != nullptr) conn_->close_after_flush();
    return;
  }
  announce_updates(announce_expunges);
}

void ImapSession::announce_updates(bool announce_expunges) {
  Selected& sel = *selected_;
  announce_keywords(false);  // new keywords before the FETCH lines using them
  // While the folder's snapshot is the one the view was last brought up to,
  // the walk over every message (each command, each IDLE wake-up) is skipped.
  SnapshotPtr now = sel.shared->snapshot();
  if (now == sel.view.snapshot() && !(announce_expunges && sel.view.has_ghosts())) return;
  ViewUpdates updates = sel.view.refresh(std::move(now), announce_expunges, enabled_.condstore());
  if (!updates.expunged_uids.empty()) {
    if (enabled_.qresync()) {
      untagged("VANISHED " + mail::SequenceSet::from_numbers(updates.expunged_uids).to_string());
    } else {
      for (uint32_t seq : updates.expunged_seqs) untagged(std::to_string(seq) + " EXPUNGE");
    }
  }
  if (updates.exists_changed) {
    untagged(std::to_string(sel.view.exists()) + " EXISTS");
    if (!enabled_.rev2()) untagged("0 RECENT");
  }
  for (uint32_t seq : updates.flags_changed) {
    const mail::MessageRecord* record = sel.folder->find(sel.view.uid_at(seq));
    if (record != nullptr) out_ += fetch_flags_line(seq, *record, enabled_.qresync());
  }
}

std::string ImapSession::fetch_flags_line(uint32_t seq, const mail::MessageRecord& record,
                                          bool with_uid) {
  auto keywords = selected_->folder->keywords_of(record);
  std::string line = "* " + std::to_string(seq) + " FETCH (";
  if (with_uid) line += "UID " + std::to_string(record.uid) + " ";
  line += "FLAGS (" + format_flags(record.flags, keywords) + ")";
  if (enabled_.condstore()) line += " MODSEQ (" + std::to_string(record.modseq) + ")";
  line += ")\r\n";
  selected_->view.note_reported(seq, record);
  return line;
}

void ImapSession::folder_changed() {
  if (input_ != ImapInput::kIdle || !selected_ || state_ == ImapState::kLogout) return;
  refresh_selected(true, true);
  flush();
}

void ImapSession::on_drain(net::Connection& c) {
  conn_ = &c;
  if (!fetch_job_ || input_ != ImapInput::kBusy) return;
  if (run_fetch_job()) {
    input_ = ImapInput::kCommands;
    c.resume_input();
    process_input();
  }
}

void ImapSession::on_timeout(net::Connection& c, net::Timeout which) {
  (void)which;
  conn_ = &c;
  write(format_bye("Autologout; idle for too long"));
}

void ImapSession::on_refused(net::Connection& c, net::Refusal why) {
  (void)why;
  conn_ = &c;
  write(format_bye("Too many connections"));
}

void ImapSession::on_close(net::Connection& c) {
  (void)c;
  conn_ = nullptr;
  selected_.reset();
}

std::string_view state_name(ImapState s) {
  switch (s) {
    case ImapState::kAuthenticated:
      return "authenticated";
    case ImapState::kSelected:
      return "selected";
    case ImapState::kLogout:
      return "logout";
  }
  return "unknown";
}

}  // namespace gm::maa
