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

using Kind = FetchItem::Kind;

std::string section_label(const FetchItem& item) {
  if (!item.label.empty()) return item.label;
  std::string name = item.kind == Kind::kSection      ? "BODY["
                     : item.kind == Kind::kBinary     ? "BINARY["
                                                      : "BINARY.SIZE[";
  name += item.section.canonical();
  name += ']';
  if (item.section.partial_offset) name += str_cat("<", *item.section.partial_offset, ">");
  return name;
}

// "{n}\r\n" + bytes, or "~{n}\r\n" for BINARY data with NUL (RFC 3516 4.3).
void append_literal_bytes(std::string& out, std::string_view bytes, bool binary) {
  bool nul = binary && bytes.find('\0') != std::string_view::npos;
  out += str_cat(nul ? "~{" : "{", bytes.size(), "}\r\n");
  out.append(bytes);
}

// One section item's value; false with *error on a failure that ends the command.
bool append_section(std::string& out, const FetchItem& item, const mail::MimeStructure& structure,
                    const mail::MessageSource& source, std::optional<ImapReply>& error) {
  if (item.kind == Kind::kBinarySize) {
    auto size = mail::binary_size(structure, source, item.section);
    if (!size) {
      if (size.error().code == mail::kNoSuchPartError) return out += "NIL", true;
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
  if (item.kind == Kind::kBinary) {
    if (Status s = mail::stream_binary(structure, source, item.section, sink); !s) {
      if (s.error().code == mail::kNoSuchPartError) return out += "NIL", true;
      error = imap_reply::no(s.error().message,
                             s.error().code == mail::kUnknownCteError ? "UNKNOWN-CTE" : "");
      return false;
    }
    append_literal_bytes(out, bytes, true);
    return true;
  }
  auto content = mail::resolve_section(structure, source, item.section);
  if (!content) {
    if (content.error().code == mail::kNoSuchPartError) return out += "NIL", true;
    error = imap_reply::no(content.error().message);
    return false;
  }
  auto part = mail::apply_partial(std::move(*content), item.section);
  out += str_cat("{", part.size(), "}\r\n");
  if (!part.from_file) {
    out += part.built;
    return true;
  }
  // Straight into the response: no copy of the bytes beyond `out`.
  if (Status s = source.stream_range(part.offset, part.length, [&](std::string_view chunk) {
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
  auto plan = parse_fetch_plan(std::span(command.args).subspan(1));
  if (!plan) return finish(command, imap_reply::syntax(plan.error().message));
  if (plan->vanished && !(command.uid && enabled_.qresync()))
    return finish(command, imap_reply::syntax("VANISHED needs UID FETCH and QRESYNC"));
  auto seqs = resolve_seqs(command.args[0], command.uid);
  if (!seqs) return finish(command, imap_reply::syntax(seqs.error().message));
  auto job = std::make_unique<FetchJob>();
  job->command = command;
  job->plan = std::move(*plan);
  job->seqs = std::move(*seqs);
  if (job->plan.changed_since) enabled_.add(ImapExtension::kCondstore);  // RFC 7162 3.1
  Selected& sel = *selected_;
  // RFC 9051 6.4.5: a non-PEEK body item sets \Seen; one store for all.
  if (job->plan.sets_seen() && !sel.read_only) {
    std::vector<uint32_t> unseen;
    for (uint32_t seq : job->seqs) {
      const auto* r = sel.view.expunged_at(seq) ? nullptr : sel.folder->find(sel.view.uid_at(seq));
      if (r != nullptr && !(r->flags & mail::kSeen)) unseen.push_back(r->uid);
    }
    if (!unseen.empty()) {
      auto stored = sel.folder->store(unseen, mail::StoreMode::kAdd, mail::kSeen, {});
      if (!stored)
        log::write(log::Level::kWarning, handoff_.session, "setting \\Seen: " + stored.error().message);
    }
  }
  if (job->plan.vanished) {
    std::vector<uint32_t> gone;
    auto since = sel.folder->vanished_since(*job->plan.changed_since);
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
bool ImapSession::run_fetch_job() {
  FetchJob& job = *fetch_job_;
  Selected& sel = *selected_;
  const FetchPlan& plan = job.plan;
  bool with_uid = job.command.uid || plan.has(Kind::kUid);
  bool with_modseq = plan.has(Kind::kModSeq) || plan.changed_since.has_value();
  bool with_flags = plan.has(Kind::kFlags) || plan.sets_seen();
  bool utf8 = enabled_.utf8_names();
  std::optional<ImapReply> error;
  for (; job.next < job.seqs.size(); ++job.next) {
    uint32_t seq = job.seqs[job.next];
    const mail::MessageRecord* r =
        sel.view.expunged_at(seq) ? nullptr : sel.folder->find(sel.view.uid_at(seq));
    if (r == nullptr) {
      job.expunged_seen = true;
      continue;
    }
    if (plan.changed_since && r->modseq <= *plan.changed_since) continue;
    std::string out = str_cat("* ", seq, " FETCH (");
    auto item_sep = [&] {
      if (out.back() != '(') out += ' ';
    };
    if (with_uid) out += str_cat("UID ", r->uid);
    if (with_flags) {
      item_sep();
      out += "FLAGS (" + format_flags(r->flags, sel.folder->keywords_of(*r)) + ")";
      sel.view.note_reported(seq, *r);
    }
    if (with_modseq) {
      item_sep();
      out += str_cat("MODSEQ (", r->modseq, ")");
    }
    MessageContent message(*sel.folder, *r);
    const mail::MimeStructure* structure = nullptr;
    if (plan.needs_content()) {
      auto s = message.structure();
      if (!s) {
        // The file went away under us: another session expunged it.
        job.expunged_seen = true;
        continue;
      }
      structure = *s;
    }
    for (const FetchItem& item : plan.items) {
      switch (item.kind) {
        case Kind::kUid:
        case Kind::kFlags:
        case Kind::kModSeq:
          continue;  // written first
        case Kind::kInternalDate:
          item_sep();
          out += "INTERNALDATE \"" + mail::format_imap_datetime(r->internal_date) + "\"";
          break;
        case Kind::kSize:
          item_sep();
          out += str_cat("RFC822.SIZE ", r->size);
          break;
        case Kind::kEnvelope:
          item_sep();
          out += "ENVELOPE " + mail::imap_envelope(structure->root.envelope_fields, utf8);
          break;
        case Kind::kBody:
        case Kind::kBodyStructure:
          item_sep();
          out += item.kind == Kind::kBody ? "BODY " : "BODYSTRUCTURE ";
          out += mail::imap_bodystructure(structure->root, item.kind == Kind::kBodyStructure, utf8);
          break;
        case Kind::kSection:
        case Kind::kBinary:
        case Kind::kBinarySize:
          item_sep();
          out += section_label(item) + " ";
          if (!append_section(out, item, *structure, message.source(), error)) break;
          continue;
      }
      if (error) break;
    }
    if (error) break;
    out += ")\r\n";
    out_ += out;
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
