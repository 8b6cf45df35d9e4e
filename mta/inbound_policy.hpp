// What inbound SMTP (port 25) checks beyond the shared engine: recipients
// must be local users or aliases, never a relay; and a per-address
// connection rate.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <string>

#include "auth/directory_client.hpp"
#include "mail/smtp_server_session.hpp"

namespace gm::mta {

class InboundPolicy final : public mail::SmtpPolicy {
 public:
  InboundPolicy(auth::DirectoryClient& directory, int64_t connections_per_minute)
      : directory_(directory), per_minute_(connections_per_minute) {}

  // smtpd_client_connection_rate_limit: 421 4.7.0 beyond it.
  std::optional<mail::SmtpReply> check_connect(const mail::SmtpClient& client) override;
  void check_sender(const mail::SmtpClient& client, const mail::Path& sender,
                    mail::PolicyDone done) override;
  // USER (active) or ALIAS: accept; NONE in a local domain: 550 5.1.1;
  // anything else, and every routing trick: 554 5.7.1 relay denied.
  void check_recipient(const mail::SmtpClient& client, const mail::Path& recipient,
                       mail::PolicyDone done) override;

 private:
  auth::DirectoryClient& directory_;
  int64_t per_minute_;
  std::map<std::string, std::deque<std::chrono::steady_clock::time_point>> recent_;
};

}  // namespace gm::mta
