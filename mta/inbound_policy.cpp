#include "inbound_policy.hpp"

namespace gm::mta {

std::optional<mail::SmtpReply> InboundPolicy::check_connect(const mail::SmtpClient& client) {
  if (per_minute_ <= 0 || client.address.empty()) return std::nullopt;
  auto now = std::chrono::steady_clock::now();
  // Forget addresses that went quiet, so the map stays small.
  for (auto it = recent_.begin(); it != recent_.end();) {
    while (!it->second.empty() && now - it->second.front() > std::chrono::minutes(1))
      it->second.pop_front();
    it = it->second.empty() ? recent_.erase(it) : std::next(it);
  }
  auto& times = recent_[client.address];
  if (static_cast<int64_t>(times.size()) >= per_minute_) return mail::too_many_connections();
  times.push_back(now);
  return std::nullopt;
}

void InboundPolicy::check_sender(const mail::SmtpClient&, const mail::Path&,
                                 mail::PolicyDone done) {
  done(std::nullopt);  // SPF and friends come with lib/dns
}

void InboundPolicy::check_recipient(const mail::SmtpClient&, const mail::Path& recipient,
                                    mail::PolicyDone done) {
  // Source routes, percent hacks, bang paths, quoted specials and address
  // literals are routing instructions to an old relay: never act on them.
  if (recipient.tricks.any()) return done(mail::relay_denied());
  directory_.lookup(
      recipient.mailbox.address(), [done = std::move(done)](Result<auth::DirectoryEntry> entry) {
        using Kind = auth::DirectoryEntry::Kind;
        if (!entry) {
          if (entry.error().code == auth::kLookupTemporary) return done(mail::local_error());
          return done(mail::relay_denied());
        }
        if (entry->kind == Kind::kAlias) return done(std::nullopt);
        if (entry->kind == Kind::kUser)
          return done(entry->active ? std::nullopt : std::optional(mail::unknown_user()));
        done(entry->local_domain ? mail::unknown_user() : mail::relay_denied());
      });
}

}  // namespace gm::mta
