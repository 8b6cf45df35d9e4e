#include "submission_policy.hpp"

#include <algorithm>

#include "core/str.hpp"

namespace gm::msa {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c + 32);
  return out;
}

}  // namespace

void SubmissionPolicy::check_sender(const mail::SmtpClient& client, const mail::Path& sender,
                                    mail::PolicyDone done) {
  if (sender.null || sender.tricks.any()) return done(mail::sender_not_owned());
  std::string address = sender.mailbox.address();
  std::string account = lower(client.account);
  if (lower(address) == account) return done(std::nullopt);
  directory_.lookup(address, [account, done = std::move(done)](Result<auth::DirectoryEntry> entry) {
    if (!entry) {
      if (entry.error().code == auth::kLookupTemporary) return done(mail::local_error());
      return done(mail::sender_not_owned());
    }
    bool owned = false;
    if (entry->kind == auth::DirectoryEntry::Kind::kUser) owned = lower(entry->address) == account;
    if (entry->kind == auth::DirectoryEntry::Kind::kAlias)
      owned = std::any_of(entry->targets.begin(), entry->targets.end(),
                          [&](const std::string& t) { return lower(t) == account; });
    done(owned ? std::nullopt : std::optional<mail::SmtpReply>(mail::sender_not_owned()));
  });
}

void SubmissionPolicy::check_recipient(const mail::SmtpClient&, const mail::Path&,
                                       mail::PolicyDone done) {
  done(std::nullopt);
}

}  // namespace gm::msa
