// STORE with UNCHANGEDSINCE (RFC 9051 6.4.6, RFC 7162 3.1.3), COPY with
// COPYUID (RFC 4315) and MOVE (RFC 6851).
#include "core/str.hpp"
#include "imap_flags.hpp"
#include "imap_session.hpp"

namespace gm::maa {

namespace {

struct StoreAction {
  mail::StoreMode mode = mail::StoreMode::kReplace;
  bool silent = false;
};

Result<StoreAction> read_store_action(const mail::ImapArg& arg) {
  if (!arg.is_atom()) return make_error("STORE item expected");
  std::string item = upper_ascii(arg.text);
  StoreAction action;
  if (item.ends_with(".SILENT")) {
    action.silent = true;
    item.resize(item.size() - 7);
  }
  if (item == "+FLAGS")
    action.mode = mail::StoreMode::kAdd;
  else if (item == "-FLAGS")
    action.mode = mail::StoreMode::kRemove;
  else if (item != "FLAGS")
    return make_error("Unknown STORE item " + arg.text);
  return action;
}

}  // namespace

void ImapSession::cmd_store(const mail::ImapCommand& command) {
  if (selected_->read_only)
    return finish(command, imap_reply::no("Mailbox is read-only", "READ-ONLY"));
  const auto& args = command.args;
  size_t i = 1;
  std::optional<uint64_t> unchanged_since;
  if (args[i].is_list()) {  // (UNCHANGEDSINCE n)
    const auto& m = args[i].list;
    auto n = m.size() == 2 && m[0].atom_is("UNCHANGEDSINCE") && m[1].is_atom()
                 ? parse_number<uint64_t>(m[1].text)
                 : std::nullopt;
    if (!n) return finish(command, imap_reply::syntax("Invalid STORE modifier"));
    unchanged_since = *n;
    enable_condstore();  // RFC 7162 3.1: the first use enables it
    ++i;
  }
  if (i + 2 > args.size())
    return finish(command, imap_reply::syntax("STORE item and flags expected"));
  auto action = read_store_action(args[i]);
  if (!action) return finish(command, imap_reply::syntax(action.error().message));
  auto flags = parse_flags(std::span(args).subspan(i + 1));
  if (!flags) return finish(command, imap_reply::syntax(flags.error().message));
  auto seqs = resolve_seqs(args[0], command.uid);
  if (!seqs) return finish(command, imap_reply::syntax(seqs.error().message));
  Selected& sel = *selected_;
  std::vector<uint32_t> uids;
  for (uint32_t seq : *seqs)
    if (!sel.view.expunged_at(seq)) uids.push_back(sel.view.uid_at(seq));
  auto modified =
      sel.folder->store(uids, action->mode, flags->flags, flags->keywords, unchanged_since);
  if (!modified) return finish(command, imap_reply::limit(modified.error().message));
  announce_keywords(false);       // RFC 9051 7.3.5: before the FETCH lines using them
  std::vector<uint32_t> refused;  // sequence numbers or UIDs, as the command spoke
  for (uint32_t seq : *seqs) {
    uint32_t uid = sel.view.uid_at(seq);
    const auto* record = sel.folder->find(uid);
    if (record == nullptr) continue;
    if (std::find(modified->begin(), modified->end(), uid) != modified->end()) {
      refused.push_back(command.uid ? uid : seq);
      continue;
    }
    if (action->silent && !enabled_.condstore()) {
      sel.view.note_reported(seq, *record);
    } else {
      out_ += fetch_flags_line(seq, *record, command.uid || enabled_.qresync());
    }
  }
  if (!refused.empty()) {
    return finish(command, imap_reply::ok(
                               "Conditional STORE failed for some messages",
                               "MODIFIED " + mail::SequenceSet::from_numbers(refused).to_string()));
  }
  finish(command, imap_reply::completed("STORE"));
}

void ImapSession::cmd_copy(const mail::ImapCommand& command) {
  copy_or_move(command, false);
}
void ImapSession::cmd_move(const mail::ImapCommand& command) {
  copy_or_move(command, true);
}

void ImapSession::copy_or_move(const mail::ImapCommand& command, bool move) {
  const char* verb = move ? "MOVE" : "COPY";
  if (move && selected_->read_only)
    return finish(command, imap_reply::no("Mailbox is read-only", "READ-ONLY"));
  auto uids = resolve_set(command.args[0], command.uid);
  if (!uids) return finish(command, imap_reply::syntax(uids.error().message));
  auto name = read_mailbox_name(command.args[1]);
  if (!name) return finish(command, name_refused(name.error()));
  if (!store_.exists(*name)) return finish(command, imap_reply::try_create());
  Selected& sel = *selected_;
  if (*name == sel.name && move)
    return finish(command, imap_reply::cannot("Cannot MOVE into the same mailbox"));
  auto opened = open_folder(*name);
  if (auto* refused = std::get_if<ImapReply>(&opened)) return finish(command, *refused);
  mail::MailboxFolder* dest = &std::get<std::shared_ptr<SharedFolder>>(opened)->folder();
  if (uids->empty())
    return finish(command, imap_reply::ok(std::string(verb) + " completed: no messages"));
  auto copied = sel.folder->copy_to(*dest, *uids);
  if (!copied) return finish(command, imap_reply::no(copied.error().message));
  // RFC 4315 3: source and destination UIDs in the same order.
  std::string code = str_cat("COPYUID ", dest->uid_validity(), " ",
                             mail::SequenceSet::from_numbers(*uids).to_string(), " ",
                             mail::SequenceSet::from_numbers(*copied).to_string());
  if (copied->size() != uids->size()) code.clear();  // some vanished meanwhile
  if (!move) return finish(command, imap_reply::ok("COPY completed", code));
  // RFC 6851 4.3: COPYUID goes in an untagged OK before the expunges.
  if (!code.empty()) untagged("OK [" + code + "] Moved");
  if (Status s = sel.folder->expunge(*uids); !s)
    return finish(command, imap_reply::server_bug(s.error().message));
  finish(command, imap_reply::completed("MOVE"));
}

}  // namespace gm::maa
