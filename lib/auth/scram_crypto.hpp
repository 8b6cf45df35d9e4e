// The primitives of SCRAM (RFC 5802 section 2.2) over OpenSSL 3: H, HMAC,
// Hi (PBKDF2), and the key derivations of section 3. Internal to lib/auth
// and its tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/scram_secret.hpp"

namespace gm::auth::scram {

// Output size of the hash in bytes (20 for SHA-1, 32 for SHA-256).
size_t digest_size(ScramHash hash);
// The mechanism name without "-PLUS": "SCRAM-SHA-1" or "SCRAM-SHA-256".
std::string_view mechanism_name(ScramHash hash);

std::string hash(ScramHash hash, std::string_view data);
std::string hmac(ScramHash hash, std::string_view key, std::string_view data);
// Hi(str, salt, i) of RFC 5802 2.2, which is PBKDF2 with HMAC-H.
std::string hi(ScramHash hash, std::string_view password, std::string_view salt,
               uint32_t iterations);
// a XOR b; both must have the same size.
std::string xor_bytes(std::string_view a, std::string_view b);
// Constant-time equality; false when the sizes differ.
bool equal_constant_time(std::string_view a, std::string_view b);
// n cryptographically random bytes (RAND_bytes); aborts if the generator
// fails, since nothing safe can go on without it.
std::string random_bytes(size_t n);

// Overwrites a string holding key material before it goes away.
void wipe(std::string& s);

}  // namespace gm::auth::scram
