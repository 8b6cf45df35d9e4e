// What mda answers to RCPT TO once the recipient's aliases are expanded
// (pure, for the unit tests).
#pragma once

#include <optional>

#include "auth/alias_expansion.hpp"
#include "mail/smtp_reply.hpp"

namespace gm::mda {

// nullopt: accept (250 2.1.5) and deliver to expansion.users. Otherwise the
// refusal: 554 5.4.6 for a loop or an expansion too deep or too large,
// 550 5.1.1 when the alias reaches addresses in other domains (mda does not
// forward yet; the sender gets a bounce rather than a silent partial
// delivery), 550 5.2.1 when it reaches only suspended users, 550 5.1.1
// when it reaches nobody.
std::optional<mail::SmtpReply> refuse_recipient(const auth::Expansion& expansion);

}  // namespace gm::mda
