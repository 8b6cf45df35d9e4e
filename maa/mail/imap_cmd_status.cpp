// STATUS (RFC 9051 6.3.11; SIZE and DELETED from RFC 9051 / RFC 8438,
// HIGHESTMODSEQ from RFC 7162, APPENDLIMIT from RFC 7889) and the QUOTA
// commands (RFC 9208) over Maildir++'s maildirsize.
#include <fstream>

#include "core/str.hpp"
#include "imap_session.hpp"
#include "mail/maildir_quota.hpp"

namespace gm::maa {

namespace {

struct StatusTotals {
  uint64_t messages = 0, unseen = 0, deleted = 0, size = 0;
};

StatusTotals totals_of(const mail::MailboxFolder& folder) {
  StatusTotals t;
  for (const auto& m : folder.messages()) {
    ++t.messages;
    if (!(m.flags & mail::kSeen)) ++t.unseen;
    if (m.flags & mail::kDeleted) ++t.deleted;
    t.size += m.size;
  }
  return t;
}

// The quota the maildirsize file defines (its first line); none when the
// file is missing: mda writes it for users with a quota.
std::optional<mail::MaildirQuota> defined_quota(const std::string& root) {
  std::ifstream in(root + "/maildirsize");
  std::string first;
  if (!in || !std::getline(in, first)) return std::nullopt;
  auto quota = mail::parse_quota(first);
  if (!quota) return std::nullopt;
  return *quota;
}

}  // namespace

std::optional<ImapReply> ImapSession::status_line(std::string_view name,
                                                  std::span<const mail::ImapArg> items,
                                                  std::string& out) {
  if (items.empty()) return imap_reply::syntax("STATUS needs at least one item");
  if (!(selected_ && selected_->name == name) && !store_.exists(name))
    return imap_reply::nonexistent("Mailbox");
  auto opened = open_folder(name);
  if (auto* refused = std::get_if<ImapReply>(&opened)) return *refused;
  mail::MailboxFolder* folder = &std::get<std::shared_ptr<SharedFolder>>(opened)->folder();
  StatusTotals t = totals_of(*folder);
  std::string list;
  for (const auto& item : items) {
    uint64_t value = 0;
    if (!item.is_atom()) return imap_reply::syntax("STATUS items are atoms");
    if (item.atom_is("MESSAGES"))
      value = t.messages;
    else if (item.atom_is("UIDNEXT"))
      value = folder->uid_next();
    else if (item.atom_is("UIDVALIDITY"))
      value = folder->uid_validity();
    else if (item.atom_is("UNSEEN"))
      value = t.unseen;
    else if (item.atom_is("DELETED"))
      value = t.deleted;
    else if (item.atom_is("SIZE"))
      value = t.size;
    else if (item.atom_is("HIGHESTMODSEQ"))
      value = folder->highest_modseq();
    else if (item.atom_is("RECENT") && !enabled_.rev2())
      value = 0;  // \Recent is not kept
    else if (item.atom_is("APPENDLIMIT"))
      value = context_.append_limit;
    else
      return imap_reply::syntax("Unknown STATUS item " + item.text);
    if (!list.empty()) list += ' ';
    list += str_cat(upper_ascii(item.text), " ", value);
  }
  out = "STATUS ";
  append_mailbox_name(out, name);
  out += " (" + list + ")";
  return std::nullopt;
}

void ImapSession::cmd_status(const mail::ImapCommand& command) {
  auto name = read_mailbox_name(command.args[0]);
  if (!name) return finish(command, name_refused(name.error()));
  if (!command.args[1].is_list())
    return finish(command, imap_reply::syntax("STATUS item list expected"));
  std::string line;
  if (auto error = status_line(*name, command.args[1].list, line)) return finish(command, *error);
  // RFC 7162 3.1: STATUS (HIGHESTMODSEQ) is a CONDSTORE enabling command.
  for (const auto& item : command.args[1].list)
    if (item.atom_is("HIGHESTMODSEQ")) enable_condstore();
  untagged(line);
  finish(command, imap_reply::completed("STATUS"));
}

// RFC 9208 5.1: STORAGE in units of 1024 octets, MESSAGE in messages.
std::string ImapSession::quota_line() const {
  auto quota = defined_quota(store_.root());
  if (!quota) return {};
  auto usage = store_.quota_usage(*quota);
  if (!usage) return {};
  std::string resources;
  auto add = [&](std::string_view resource, int64_t used, uint64_t limit) {
    if (limit == 0) return;
    if (!resources.empty()) resources += ' ';
    resources += str_cat(resource, " ", used < 0 ? 0 : used, " ", limit);
  };
  add("STORAGE", (usage->bytes + 1023) / 1024, quota->bytes / 1024);
  add("MESSAGE", usage->messages, quota->messages);
  if (resources.empty()) return {};
  return "QUOTA \"\" (" + resources + ")";
}

std::optional<uint64_t> ImapSession::quota_left() const {
  auto quota = defined_quota(store_.root());
  if (!quota || quota->bytes == 0) return std::nullopt;
  auto usage = store_.quota_usage(*quota);
  if (!usage) return std::nullopt;
  int64_t left = static_cast<int64_t>(quota->bytes) - usage->bytes;
  return left < 0 ? 0 : static_cast<uint64_t>(left);
}

void ImapSession::cmd_getquota(const mail::ImapCommand& command) {
  // One quota root, "" (the whole Maildir++).
  if (!command.args[0].is_astring() || !command.args[0].text.empty())
    return finish(command, imap_reply::nonexistent("Quota root"));
  std::string line = quota_line();
  if (line.empty()) return finish(command, imap_reply::nonexistent("Quota root"));
  untagged(line);
  finish(command, imap_reply::completed("GETQUOTA"));
}

void ImapSession::cmd_getquotaroot(const mail::ImapCommand& command) {
  auto name = read_mailbox_name(command.args[0]);
  if (!name) return finish(command, name_refused(name.error()));
  if (!store_.exists(*name)) return finish(command, imap_reply::nonexistent("Mailbox"));
  std::string line = quota_line();
  std::string root = "QUOTAROOT ";
  append_mailbox_name(root, *name);
  if (!line.empty()) root += " \"\"";
  untagged(root);
  if (!line.empty()) untagged(line);
  finish(command, imap_reply::completed("GETQUOTAROOT"));
}

}  // namespace gm::maa
