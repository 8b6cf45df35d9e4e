// The check behind the plaintext mechanisms (PLAIN, LOGIN): SASLprep the
// name and password, look the name up, and compare the password with the
// account's SCRAM secret (SCRAM-SHA-256 preferred, else SCRAM-SHA-1).
#pragma once

#include <string_view>

#include "auth/sasl_server.hpp"
#include "core/secret.hpp"

namespace gm::auth {

// A kSuccess or kFailure step. An unknown name still costs one key
// derivation (against a fake secret), so the time does not tell whether it
// exists.
SaslStep check_password(const CredentialLookup& lookup, std::string_view authcid,
                        const Secret& password);

}  // namespace gm::auth
