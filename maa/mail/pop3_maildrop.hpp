// The POP3 maildrop: the INBOX of one Maildir, read through lib/mail's
// MailboxFolder (the same index, UIDs and MODSEQs IMAP uses), locked for
// the session with flock on <maildir>/gm-pop3.lock so a second POP3
// session of the same user gets "-ERR [IN-USE]" (RFC 1939 4, RFC 2449 8).
// The message list is fixed at login (RFC 1939 5: numbers stay valid),
// oldest delivery first;
// deletions happen only in commit() (the UPDATE state), through
// MailboxFolder::expunge, so IMAP sessions see them as expunges of known
// UIDs (EXPUNGE / VANISHED with a MODSEQ) and the quota goes down.
// Every call blocks on the disk (maa-mail's per-session loop; a POP3
// maildrop is read once per session).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/unique_fd.hpp"
#include "mail/mailbox_folder.hpp"

namespace gm::maa {

inline constexpr std::string_view kPop3LockFile = "gm-pop3.lock";
// RFC 1939 7: a unique-id is 1 to 70 characters in 0x21..0x7E.
inline constexpr size_t kMaxUidlLength = 70;
// Messages listed in one maildrop; more are left for the next session.
inline constexpr size_t kMaxPop3Messages = 100'000;

struct Pop3Message {
  uint32_t uid = 0;   // the folder's IMAP UID
  std::string uidl;   // the Maildir base name (stable across new/ -> cur/ and flag changes)
  uint64_t size = 0;  // on the wire (CRLF line ends), as LIST reports it
  bool deleted = false;
};

// The unique-id of a Maildir file name: its base name (before ":2,") when
// that is 1..70 printable characters, else a SHA-256 hex digest of it.
std::string pop3_uidl(std::string_view file_name);

class Pop3Maildrop {
 public:
  // Locks and lists. Error code 1: locked by another session.
  static Result<Pop3Maildrop> open(const std::string& maildir);
  static constexpr int kLockedCode = 1;

  std::span<Pop3Message> messages() { return messages_; }
  std::span<const Pop3Message> messages() const { return messages_; }
  // The open message file (found again when another session renamed it);
  // an error when it was expunged meanwhile.
  Result<UniqueFd> open_message(const Pop3Message& m) const;
  // UPDATE: expunges every message marked deleted; returns how many were
  // marked, or an error when one of them is still there. A message already
  // expunged elsewhere counts as removed.
  Result<size_t> commit();

 private:
  Pop3Maildrop(UniqueFd lock, std::unique_ptr<mail::MailboxFolder> folder)
      : lock_(std::move(lock)), folder_(std::move(folder)) {}
  Status list();

  UniqueFd lock_;  // flock held while this lives
  std::unique_ptr<mail::MailboxFolder> folder_;
  std::vector<Pop3Message> messages_;
};

}  // namespace gm::maa
