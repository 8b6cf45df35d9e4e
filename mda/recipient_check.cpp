#include "recipient_check.hpp"

#include "core/str.hpp"

namespace gm::mda {

std::optional<mail::SmtpReply> refuse_recipient(const auth::Expansion& e) {
  if (e.too_deep || e.too_many)
    return mail::SmtpReply{554, "5.4.6", "Alias expansion too deep or too large"};
  if (!e.remote.empty())
    return mail::SmtpReply{550, "5.1.1",
                           str_cat("Alias forwards to another domain (",
                                   printable(e.remote[0], 100), "); forwarding is not supported")};
  if (!e.users.empty()) return std::nullopt;
  if (e.loop) return mail::loop_detected();
  if (!e.suspended.empty()) return mail::mailbox_disabled();
  return mail::unknown_user();
}

}  // namespace gm::mda
