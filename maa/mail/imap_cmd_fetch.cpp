// FETCH and UID FETCH (RFC 9051 6.4.5, 7.5.2): one response per message,
// built from the index and, when asked for, the MIME structure and the
// message file. A long answer goes out in pieces: once the connection
// holds kImapOutputPause unread bytes the job waits for on_drain, so a
// FETCH of every body in a large mailbox costs one message in memory.
#include "core/log.hpp"
#include "core/str.hpp"
#include "imap_flags.hpp"
#include "imap_message.hpp"
#include "imap_session_jobs.hpp"
#include "mail/imap_bodystructure.hpp"
#include "mail/imap_datetime.hpp"
#include "mail/imap_envelope.hpp"
#include "mail/imap_string.hpp"
#include "net/connection.hpp"

namespace gm::maa {

namespace {

using Att = mail::FetchAtt;

// "{n}\r\n" + bytes, or "~{n}\r\n" for BINARY data with NUL (RFC 3516 4.3).
void append_literal_bytes(std::string& out, std::string_view bytes, bool binary) {
  bool nul = binary && bytes.find('\0') != std::string_view::npos;
  out += str_cat(nul ? "~{" : "{", bytes.size(), "}\r\n");
  out.append(bytes);
}

// One section item's value; false with *error on a failure that ends the
// command. A part that does not exist is an empty string, as Dovecot
// answers (RFC 9051 6.4.5 leaves it open).
bool append_section(std::string& out, Att att, const mail::SectionSpec& section,
                    const mail::MimeStructure& structure, const mail::MessageSource& source,
                    std::optional<ImapReply>& error) {
  if (att == Att::kBinarySize) {
    auto size = mail::binary_size(structure, source, section);
    if (!size) {
      if (size.error().code == mail::kNoSuchPartError) return out += "\"\"", true;
      error = imap_reply::no(size.error().message,
                             size.error().code == mail::kUnknownCteError ? "UNKNOWN-CTE" : "");
      return false;
    }
    out += std::to_string(*size);
    return true;
  }
  std::string bytes;
  auto sink = [&](std::string_view chunk) -> Status {
    bytes.append(chunk);
    return {};
  };
  if (att == Att::kBinarySection) {
    if (Status s = mail::stream_binary(structure, source, section, sink); !s) {
      if (s.error().code == mail::kNoSuchPartError) return out += "\"\"", true;
      error = imap_reply::no(s.error().message,
                             s.error().code == mail::kUnknownCteError ? "UNKNOWN-CTE" : "");
      return false;
    }
    append_literal_bytes(out, bytes, true);
    return true;
  }
  auto content = mail::resolve_section(structure, source, section);
  if (!content) {
    if (content.error().code == mail::kNoSuchPartError) return out += "\"\"", true;
    error = imap_reply::no(content.error().message);
    return false;
  }
  auto part = mail::apply_partial(std::move(*content), section);
  out += str_cat("{", part.size(), "}\r\n");
  if (!part.from_file) {
    out += part.built;
    return true;
  }
  // Straight into the response: no copy of the bytes beyond `out`.
  if (Status s = source.stream_range(part.offset, part.length,
                                     [&](std::string_view chunk) {
                                       out.append(chunk);
                                       return Status{};
                                     });
      !s) {
    error = imap_reply::no("Cannot read the message: " + s.error().message);
    return false;
  }
  return true;
}

}  // namespace

void ImapSession::cmd_fetch(const mail::ImapCommand& command) {
  auto plan = make_fetch_plan(std::span(command.args).subspan(1), command.uid);
  if (!plan) return finish(command, imap_reply::syntax(plan.error().message));
  if (plan->request.vanished && !(command.uid && enabled_.qresync()))
    return finish(command, imap_reply::syntax("VANISHED needs UID FETCH and QRESYNC"));
  auto seqs = resolve_seqs(command.args[0], command.uid);
  if (!seqs) return finish(command, imap_reply::syntax(seqs.error().message));
  auto job = std::make_unique<FetchJob>();
  job->command = command;
  job->plan = std::move(*plan);
  job->seqs = std::move(*seqs);
  if (job->plan.request.uses_modseq) enable_condstore();  // RFC 7162 3.1
  Selected& sel = *selected_;
  // RFC 9051 6.4.5: a non-PEEK body item sets \Seen; one store for all.
  if (job->plan.sets_seen && !sel.read_only) {
    std::vector<uint32_t> unseen;
    for (uint32_t seq : job->seqs) {
      const auto* r = sel.view.expunged_at(seq) ? nullptr : sel.folder->find(sel.view.uid_at(seq));
      if (r != nullptr && !(r->flags & mail::kSeen)) unseen.push_back(r->uid);
    }
    if (!unseen.empty()) {
      auto stored = sel.folder->store(unseen, mail::StoreMode::kAdd, mail::kSeen, {});
      if (!stored)
        log::write(log::Level::kWarning, handoff_.session,
                   "setting \\Seen: " + stored.error().message);
    }
  }
  if (job->plan.request.vanished) {
    std::vector<uint32_t> gone;
    auto since = sel.folder->vanished_since(job->plan.request.changed_since.value_or(0));
    auto set = mail::SequenceSet::parse(command.args[0].text);
    auto ranges = set ? set->resolve_uids(sel.view.last_uid()) : std::vector<mail::SeqRange>{};
    if (since) {
      for (const auto& e : *since)
        if (mail::ranges_contain(ranges, e.uid)) gone.push_back(e.uid);
    }
    if (!gone.empty())
      untagged("VANISHED (EARLIER) " + mail::SequenceSet::from_numbers(gone).to_string());
  }
  fetch_job_ = std::move(job);
  if (!run_fetch_job()) input_ = ImapInput::kBusy;
}

// Writes responses until done (true) or until the client must read first.
namespace {

// Everything but FLAGS (written first, by the caller) for one message.
void append_items(std::string& out, const FetchPlan& plan, const mail::MessageRecord& r,
                  MessageContent& message, bool utf8, std::optional<ImapReply>& error) {
  const auto& items = plan.request.items;
  const mail::MimeStructure* structure = nullptr;
  if (plan.needs_content) structure = *message.structure();  // the caller checked it
  for (size_t i = 0; i < items.size() && !error; ++i) {
    const mail::FetchItem& item = items[i];
    if (item.att == Att::kFlags) continue;
    if (out.back() != '(') out += ' ';
    out += item.response_name();
    out += ' ';
    switch (item.att) {
      case Att::kFlags:
        break;
      case Att::kUid:
        out += std::to_string(r.uid);
        break;
      case Att::kModSeq:
        out += str_cat("(", r.modseq, ")");
        break;
      case Att::kInternalDate:
        out += "\"" + mail::format_imap_datetime(r.internal_date) + "\"";
        break;
      case Att::kRfc822Size:
        out += std::to_string(r.size);
        break;
      case Att::kEnvelope:
        out += mail::imap_envelope(structure->root.envelope_fields, utf8);
        break;
      case Att::kBody:
      case Att::kBodyStructure:
        out += mail::imap_bodystructure(structure->root, item.att == Att::kBodyStructure, utf8);
        break;
      case Att::kRfc822:
      case Att::kRfc822Header:
      case Att::kRfc822Text:
      case Att::kBodySection:
      case Att::kBinarySection:
      case Att::kBinarySize:
        append_section(out, item.att, plan.sections[i], *structure, message.source(), error);
        break;
    }
  }
  // RFC 7162 3.1.4.1: CHANGEDSINCE implies MODSEQ.
  if (plan.request.changed_since && !plan.has(Att::kModSeq))
    out += str_cat(" MODSEQ (", r.modseq, ")");
}

}  // namespace

// One message's "* n FETCH (...)" into out; false when the message is gone
// (expunged meanwhile) or not changed since CHANGEDSINCE.
bool ImapSession::fetch_one(FetchJob& job, uint32_t seq, std::string& out,
                            std::optional<ImapReply>& error) {
  Selected& sel = *selected_;
  const FetchPlan& plan = job.plan;
  const mail::MessageRecord* r =
      sel.view.expunged_at(seq) ? nullptr : sel.folder->find(sel.view.uid_at(seq));
  if (r == nullptr) {
    job.expunged_seen = true;
    return false;
  }
  if (plan.request.changed_since && r->modseq <= *plan.request.changed_since) return false;
  MessageContent message(*sel.folder, *r);
  if (plan.needs_content && !message.structure()) {
    job.expunged_seen = true;  // the file went away under us
    return false;
  }
  out = str_cat("* ", seq, " FETCH (");
  if (plan.has(Att::kFlags) || plan.sets_seen) {
    out += "FLAGS (" + format_flags(r->flags, sel.folder->keywords_of(*r)) + ")";
    sel.view.note_reported(seq, *r);
  }
  append_items(out, plan, *r, message, enabled_.utf8_names(), error);
  out += ")\r\n";
  return true;
}

// Writes responses until done (true) or until the client must read first.
bool ImapSession::run_fetch_job() {
  FetchJob& job = *fetch_job_;
  std::optional<ImapReply> error;
  std::string response;
  for (; job.next < job.seqs.size() && !error; ++job.next) {
    if (!fetch_one(job, job.seqs[job.next], response, error) || error) continue;
    out_ += response;
    if (out_.size() >= kImapOutputPause) flush();
    if (conn_ != nullptr && conn_->output_pending() >= kImapOutputPause) {
      ++job.next;
      return false;
    }
  }
  auto command = std::move(job.command);
  bool expunged = job.expunged_seen;
  fetch_job_.reset();
  if (error) {
    finish(command, *error);
  } else {
    finish(command, expunged ? imap_reply::expunge_issued() : imap_reply::completed("FETCH"));
  }
  return true;
}

}  // namespace gm::maa
