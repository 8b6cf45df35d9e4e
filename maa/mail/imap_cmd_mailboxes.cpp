// CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE (RFC 9051 6.3.4-6.3.8)
// over MailboxStore, with RFC 5530 response codes.
#include "imap_session.hpp"

namespace gm::maa {

void ImapSession::cmd_create(const mail::ImapCommand& command) {
  mail::ImapArg arg = command.args[0];
  // RFC 9051 6.3.4: a trailing separator only says "a parent follows".
  if (arg.is_astring() && arg.text.size() > 1 && arg.text.back() == '/') arg.text.pop_back();
  auto name = read_mailbox_name(arg);
  if (!name) return finish(command, name_refused(name.error()));
  if (store_.exists(*name)) return finish(command, imap_reply::already_exists());
  if (Status s = store_.create(*name); !s)
    return finish(command, imap_reply::cannot(s.error().message));
  finish(command, imap_reply::completed("CREATE"));
}

void ImapSession::cmd_delete(const mail::ImapCommand& command) {
  auto name = read_mailbox_name(command.args[0]);
  if (!name) return finish(command, name_refused(name.error()));
  if (*name == "INBOX") return finish(command, imap_reply::cannot("INBOX cannot be deleted"));
  if (!store_.exists(*name)) return finish(command, imap_reply::nonexistent("Mailbox"));
  if (selected_ && selected_->name == *name)
    return finish(command, imap_reply::no("Mailbox is selected: close it first", "INUSE"));
  if (Status s = store_.remove(*name); !s)
    return finish(command, imap_reply::cannot(s.error().message));
  finish(command, imap_reply::completed("DELETE"));
}

void ImapSession::cmd_rename(const mail::ImapCommand& command) {
  auto from = read_mailbox_name(command.args[0]);
  if (!from) return finish(command, name_refused(from.error()));
  auto to = read_mailbox_name(command.args[1]);
  if (!to) return finish(command, name_refused(to.error()));
  if (!store_.exists(*from)) return finish(command, imap_reply::nonexistent("Mailbox"));
  if (store_.exists(*to)) return finish(command, imap_reply::already_exists());
  if (Status s = store_.rename(*from, *to); !s)
    return finish(command, imap_reply::cannot(s.error().message));
  if (selected_ && selected_->name == *from) selected_->name = *to;
  finish(command, imap_reply::completed("RENAME"));
}

void ImapSession::cmd_subscribe(const mail::ImapCommand& command) {
  auto name = read_mailbox_name(command.args[0]);
  if (!name) return finish(command, name_refused(name.error()));
  if (!store_.exists(*name)) return finish(command, imap_reply::nonexistent("Mailbox"));
  if (Status s = store_.subscribe(*name); !s)
    return finish(command, imap_reply::server_bug(s.error().message));
  finish(command, imap_reply::completed("SUBSCRIBE"));
}

void ImapSession::cmd_unsubscribe(const mail::ImapCommand& command) {
  auto name = read_mailbox_name(command.args[0]);
  if (!name) return finish(command, name_refused(name.error()));
  if (Status s = store_.unsubscribe(*name); !s)
    return finish(command, imap_reply::no(s.error().message));
  finish(command, imap_reply::completed("UNSUBSCRIBE"));
}

}  // namespace gm::maa
