// Secrets for identities that have none (unknown user, no secret of the
// hash asked for), so that a SCRAM exchange for them looks like a real one
// (RFC 5802 section 9 warns that the salt otherwise tells which users
// exist) and a PLAIN check costs the same time. The salt depends only on the
// name and a server key, so asking twice gives the same answer.
#pragma once

#include <cstdint>
#include <string_view>

#include "auth/scram_secret.hpp"
#include "core/secret.hpp"

namespace gm::auth {

// authd may set a key kept on disk so fake salts survive restarts; without
// one, a random key is made on first use (then a restart changes the fake
// salts, which an attacker who watches across restarts could notice).
void set_fake_secret_key(const Secret& key);

ScramSecret fake_scram_secret(ScramHash hash, std::string_view authcid,
                              uint32_t iterations = kScramDefaultIterations);

}  // namespace gm::auth
