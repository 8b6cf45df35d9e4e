// The IMAP CAPABILITY lists, in one place for the login process (maa) and
// the mail process (maa-mail): before login they depend on TLS and on the
// SASL mechanisms authd offers; after login the list is fixed.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace gm::mail {

struct PreLoginState {
  bool tls_active = false;
  bool tls_available = false;               // a certificate is loaded: STARTTLS can be offered
  std::span<const std::string> mechanisms;  // from authd, for this connection
};

// RFC 9051 7.2.2, RFC 3501 6.2.3: before TLS a cleartext port says
// LOGINDISABLED and STARTTLS and offers no AUTH= at all (no password
// crosses the network in clear); after TLS, AUTH=<mech> for each
// mechanism authd offers, and SASL-IR (RFC 4959).
std::string imap_capabilities_before_login(const PreLoginState& state);
// RFC 7889 APPENDLIMIT=<append_limit> (0: not advertised).
std::string imap_capabilities_after_login(uint64_t append_limit);

}  // namespace gm::mail
