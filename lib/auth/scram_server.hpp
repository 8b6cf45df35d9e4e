// SCRAM-SHA-1, SCRAM-SHA-256 (RFC 5802, RFC 7677) and their -PLUS variants
// with channel binding (RFC 5802 section 6; tls-exporter RFC 9266,
// tls-server-end-point RFC 5929). make_sasl_server() builds these; the
// factory here also takes a nonce source, which tests use to replay the RFC
// test vectors.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "auth/sasl_server.hpp"
#include "auth/scram_secret.hpp"

namespace gm::auth {

// Random bytes in the server's part of the nonce (RFC 5802 section 5.1:
// "r=" adds at least 18 bytes of randomness, sent base64-encoded).
inline constexpr size_t kScramServerNonceBytes = 24;

// Returns the server's part of the nonce; it must be printable ASCII
// without ',' (RFC 5802 section 7, "printable"), else the exchange fails.
using ScramNonceSource = std::function<std::string()>;

// nonce_source empty: kScramServerNonceBytes from RAND_bytes, base64.
// With plus, context must carry a supported cb_type and cb_data (the caller,
// make_sasl_server, checks this); without, cb data in context only means the
// server offers -PLUS on this connection (a "y" client is then a downgrade).
std::unique_ptr<SaslServer> make_scram_server(ScramHash hash, bool plus, const SaslContext& context,
                                              CredentialLookup lookup,
                                              ScramNonceSource nonce_source = {});

}  // namespace gm::auth
