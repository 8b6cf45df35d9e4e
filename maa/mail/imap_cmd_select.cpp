// SELECT and EXAMINE (RFC 9051 6.3.2-6.3.3) with the CONDSTORE and QRESYNC
// parameters (RFC 7162 3.1.8, 3.2.5); CLOSE, UNSELECT (RFC 3691), EXPUNGE
// and UID EXPUNGE (RFC 4315 2.1).
#include "core/log.hpp"
#include "core/str.hpp"
#include "imap_flags.hpp"
#include "imap_session.hpp"
#include "mail/imap_sequence_set.hpp"

namespace gm::maa {

namespace {

struct QresyncParams {
  uint32_t uid_validity = 0;
  uint64_t modseq = 0;
  std::optional<mail::SequenceSet> known_uids;
};

// "(CONDSTORE)" or "(QRESYNC (uidvalidity modseq [known-uids [seq-match]]))".
Result<std::optional<QresyncParams>> read_select_params(const mail::ImapArg& arg, bool& condstore) {
  if (!arg.is_list()) return make_error("SELECT parameters must be a list");
  std::optional<QresyncParams> qresync;
  for (size_t i = 0; i < arg.list.size(); ++i) {
    const auto& p = arg.list[i];
    if (p.atom_is("CONDSTORE")) {
      condstore = true;
    } else if (p.atom_is("QRESYNC") && i + 1 < arg.list.size() && arg.list[i + 1].is_list()) {
      const auto& q = arg.list[++i].list;
      QresyncParams params;
      if (q.size() < 2 || q.size() > 4 || !q[0].is_atom() || !q[1].is_atom())
        return make_error("QRESYNC needs UIDVALIDITY and MODSEQ");
      auto v = parse_number<uint32_t>(q[0].text);
      auto m = parse_number<uint64_t>(q[1].text);
      if (!v || *v == 0 || !m) return make_error("Invalid QRESYNC numbers");
      params.uid_validity = *v;
      params.modseq = *m;
      if (q.size() >= 3) {
        if (!q[2].is_atom()) return make_error("Invalid QRESYNC known UIDs");
        auto set = mail::SequenceSet::parse(q[2].text);
        if (!set || set->is_saved()) return make_error("Invalid QRESYNC known UIDs");
        params.known_uids = std::move(*set);
      }
      // The sequence match data (q[3]) only narrows what we report; every
      // change since MODSEQ is reported anyway, which RFC 7162 allows.
      qresync = std::move(params);
    } else {
      return make_error("Unknown SELECT parameter");
    }
  }
  return qresync;
}

}  // namespace

void ImapSession::cmd_select(const mail::ImapCommand& command) {
  select_mailbox(command, false);
}
void ImapSession::cmd_examine(const mail::ImapCommand& command) {
  select_mailbox(command, true);
}

std::variant<std::shared_ptr<SharedFolder>, ImapReply> ImapSession::open_folder(
    std::string_view name) {
  if (selected_ && selected_->name == name) return selected_->shared;
  auto dir = store_.folder_dir(std::string(name));
  if (!dir) return imap_reply::cannot(dir.error().message);
  auto folder = context_.folders.open(*dir);
  if (!folder) {
    log::write(log::Level::kWarning, handoff_.session,
               "open " + *dir + ": " + folder.error().message);
    return imap_reply::server_bug("Cannot open the mailbox");
  }
  return std::move(*folder);
}

void ImapSession::deselect() {
  selected_.reset();
  state_ = ImapState::kAuthenticated;
}

void ImapSession::select_mailbox(const mail::ImapCommand& command, bool read_only) {
  const char* verb = read_only ? "EXAMINE" : "SELECT";
  bool condstore = false;
  std::optional<QresyncParams> qresync;
  if (command.args.size() == 2) {
    auto params = read_select_params(command.args[1], condstore);
    if (!params) return finish_tagged(command.tag, imap_reply::syntax(params.error().message));
    qresync = std::move(*params);
    if (qresync && !enabled_.qresync())
      return finish_tagged(command.tag, imap_reply::syntax("QRESYNC is not enabled"));
  }
  // RFC 9051 6.3.2: the old mailbox is deselected before the attempt, so a
  // SELECT that fails (NO) leaves none selected. Its folder stays open
  // until then: selecting it again is a sync(), not a fresh open.
  std::shared_ptr<SharedFolder> previous = selected_ ? selected_->shared : nullptr;
  if (selected_) {
    deselect();
    untagged("OK [CLOSED] Previous mailbox closed");  // RFC 7162 3.2.11, RFC 9051 7.1
  }
  auto name = read_mailbox_name(command.args[0]);
  if (!name) return finish_tagged(command.tag, name_refused(name.error()));
  if (!store_.exists(*name)) return finish_tagged(command.tag, imap_reply::nonexistent("Mailbox"));
  auto folder = open_folder(*name);
  if (auto* refused = std::get_if<ImapReply>(&folder)) return finish_tagged(command.tag, *refused);
  if (condstore) enabled_.add(ImapExtension::kCondstore);  // RFC 7162 3.1.8
  selected_ = std::make_unique<Selected>();
  Selected& sel = *selected_;
  sel.name = *name;
  sel.shared = std::move(std::get<std::shared_ptr<SharedFolder>>(folder));
  sel.folder = &sel.shared->folder();
  sel.uid_validity = sel.folder->uid_validity();
  sel.read_only = read_only;
  sel.view.reset(sel.shared->snapshot());
  state_ = ImapState::kSelected;

  announce_keywords(true);
  untagged(str_cat(sel.view.exists(), " EXISTS"));
  if (!enabled_.rev2()) {
    untagged("0 RECENT");
    for (uint32_t seq = 1; seq <= sel.view.exists(); ++seq) {
      const auto& m = sel.folder->messages()[seq - 1];
      if (m.flags & mail::kSeen) continue;
      untagged(str_cat("OK [UNSEEN ", seq, "] First unseen"));
      break;
    }
  }
  untagged(str_cat("OK [UIDVALIDITY ", sel.folder->uid_validity(), "] UIDs valid"));
  untagged(str_cat("OK [UIDNEXT ", sel.folder->uid_next(), "] Predicted next UID"));
  if (enabled_.condstore())
    untagged(str_cat("OK [HIGHESTMODSEQ ", sel.folder->highest_modseq(), "] Highest"));
  if (enabled_.rev2()) {
    std::string list = "LIST () \"/\" ";
    append_mailbox_name(list, sel.name);
    untagged(list);
  }
  if (qresync && qresync->uid_validity == sel.folder->uid_validity())
    report_changes_since(qresync->modseq, qresync->known_uids ? &*qresync->known_uids : nullptr,
                         true);
  finish_tagged(command.tag, imap_reply::ok(std::string(verb) + " completed",
                                            read_only ? "READ-ONLY" : "READ-WRITE"));
}

void ImapSession::announce_keywords(bool always) {
  Selected& sel = *selected_;
  const auto& keywords = sel.folder->keyword_names();
  if (!always && keywords == sel.announced_keywords) return;
  sel.announced_keywords = keywords;
  untagged("FLAGS (" + format_flag_list(keywords) + ")");
  untagged(sel.read_only
               ? "OK [PERMANENTFLAGS ()] Read-only mailbox"
               : "OK [PERMANENTFLAGS (" + format_flag_list(keywords) + " \\*)] Flags permitted");
}

// RFC 7162 3.2.5.1 / 3.2.6: VANISHED (EARLIER) for what went away since
// modseq, then FETCH for every message changed since then.
void ImapSession::report_changes_since(uint64_t modseq, const mail::SequenceSet* known,
                                       bool vanished) {
  Selected& sel = *selected_;
  auto records = sel.folder->messages();
  uint32_t highest = records.empty() ? 0 : records.back().uid;
  std::vector<mail::SeqRange> known_ranges;
  if (known != nullptr)
    known_ranges = known->resolve_uids(std::max(highest, sel.folder->uid_next()));
  auto is_known = [&](uint32_t uid) {
    return known == nullptr || mail::ranges_contain(known_ranges, uid);
  };
  if (vanished) {
    std::vector<uint32_t> gone;
    if (auto since = sel.folder->vanished_since(modseq)) {
      for (const auto& e : *since)
        if (is_known(e.uid)) gone.push_back(e.uid);
    } else {
      // The expunge log does not reach back: every known UID that is not
      // there any more (ranges between the messages, never expanded).
      std::string gaps;
      uint32_t next = 1;
      auto add_gap = [&](uint32_t from, uint32_t to) {
        if (from > to) return;
        for (const auto& r :
             known == nullptr ? std::vector<mail::SeqRange>{{from, to}} : known_ranges) {
          uint32_t a = std::max(from, r.first), b = std::min(to, r.last);
          if (a > b) continue;
          if (!gaps.empty()) gaps += ',';
          gaps += a == b ? std::to_string(a) : str_cat(a, ":", b);
        }
      };
      for (const auto& m : records) {
        if (m.uid > next) add_gap(next, m.uid - 1);
        next = m.uid + 1;
      }
      if (sel.folder->uid_next() > next) add_gap(next, sel.folder->uid_next() - 1);
      if (!gaps.empty()) untagged("VANISHED (EARLIER) " + gaps);
    }
    if (!gone.empty())
      untagged("VANISHED (EARLIER) " + mail::SequenceSet::from_numbers(gone).to_string());
  }
  for (uint32_t seq = 1; seq <= sel.view.exists(); ++seq) {
    const auto* m = sel.folder->find(sel.view.uid_at(seq));
    if (m == nullptr || m->modseq <= modseq || !is_known(m->uid)) continue;
    out_ += fetch_flags_line(seq, *m, true);
  }
}

void ImapSession::cmd_close(const mail::ImapCommand& command) {
  // RFC 9051 6.4.1: expunge \Deleted silently, unless read-only.
  if (!selected_->read_only) {
    std::vector<uint32_t> doomed;
    for (const auto& m : selected_->folder->messages())
      if (m.flags & mail::kDeleted) doomed.push_back(m.uid);
    if (!doomed.empty()) {
      if (Status s = selected_->folder->expunge(doomed); !s)
        log::write(log::Level::kWarning, handoff_.session,
                   "CLOSE expunge failed: " + s.error().message);
    }
  }
  deselect();
  finish_tagged(command.tag, imap_reply::completed("CLOSE"));
}

void ImapSession::cmd_unselect(const mail::ImapCommand& command) {
  deselect();
  finish_tagged(command.tag, imap_reply::completed("UNSELECT"));
}

void ImapSession::cmd_expunge(const mail::ImapCommand& command) {
  if (selected_->read_only)
    return finish(command, imap_reply::no("Mailbox is read-only", "READ-ONLY"));
  if (command.uid != (command.args.size() == 1))
    return finish(command, imap_reply::syntax(command.uid ? "UID EXPUNGE needs a UID set"
                                                          : "EXPUNGE takes no arguments"));
  // Pick up others' changes first, so the set and the flags are current.
  if (auto s = selected_->folder->sync(); !s)
    return finish(command, imap_reply::server_bug(s.error().message));
  std::vector<mail::SeqRange> limit;
  if (command.uid) {
    auto set = command.args[0].is_atom()
                   ? mail::SequenceSet::parse(command.args[0].text)
                   : Result<mail::SequenceSet>(make_error("UID set expected"));
    if (!set) return finish(command, imap_reply::syntax("Invalid UID set"));
    limit = set->resolve_uids(selected_->view.last_uid());
  }
  std::vector<uint32_t> doomed;
  for (const auto& m : selected_->folder->messages()) {
    if (!(m.flags & mail::kDeleted)) continue;
    if (command.uid && !mail::ranges_contain(limit, m.uid)) continue;
    doomed.push_back(m.uid);
  }
  if (!doomed.empty()) {
    if (Status s = selected_->folder->expunge(doomed); !s)
      return finish(command, imap_reply::server_bug(s.error().message));
  }
  finish(command, imap_reply::completed("EXPUNGE"));
}

}  // namespace gm::maa
