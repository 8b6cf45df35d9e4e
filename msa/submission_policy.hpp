// What submission (RFC 6409) checks beyond the shared SMTP engine: the
// envelope sender must belong to the authenticated account.
#pragma once

#include "auth/directory_client.hpp"
#include "mail/smtp_server_session.hpp"

namespace gm::msa {

class SubmissionPolicy final : public mail::SmtpPolicy {
 public:
  explicit SubmissionPolicy(auth::DirectoryClient& directory) : directory_(directory) {}

  // MAIL FROM is the account itself, or an alias whose targets include it
  // (553 5.7.1 otherwise; RFC 6409 6.1 lets the MSA enforce this).
  void check_sender(const mail::SmtpClient& client, const mail::Path& sender,
                    mail::PolicyDone done) override;
  // Authenticated clients may send anywhere.
  void check_recipient(const mail::SmtpClient& client, const mail::Path& recipient,
                       mail::PolicyDone done) override;

 private:
  auth::DirectoryClient& directory_;
};

}  // namespace gm::msa
