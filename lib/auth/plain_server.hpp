// PLAIN (RFC 4616) and LOGIN (draft-murchison-sasl-login-00). Both send the
// password in the clear, so make_sasl_server() builds them only inside TLS.
#pragma once

#include <memory>

#include "auth/sasl_server.hpp"

namespace gm::auth {

inline constexpr size_t kMaxPlainMessage = 1024;  // authzid NUL authcid NUL passwd
inline constexpr size_t kMaxLoginField = 512;     // LOGIN user name or password

std::unique_ptr<SaslServer> make_plain_server(CredentialLookup lookup);
std::unique_ptr<SaslServer> make_login_server(CredentialLookup lookup);

}  // namespace gm::auth
