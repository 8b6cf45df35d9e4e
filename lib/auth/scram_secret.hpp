// A stored SCRAM secret (RFC 5802 section 3): salt, iteration count,
// StoredKey and ServerKey. The password itself is never stored, and these
// keys let the server verify a client but not impersonate one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/secret.hpp"

namespace gm::auth {

enum class ScramHash { kSha1, kSha256 };

// RFC 7677 section 4 asks for at least 4096 iterations; new secrets get that
// unless configured otherwise. Stored secrets with more than the maximum are
// refused, as a bound on the work one login can cost.
inline constexpr uint32_t kScramDefaultIterations = 4096;
inline constexpr uint32_t kScramMaxIterations = 10'000'000;
inline constexpr size_t kScramSaltSize = 16;      // of new secrets
inline constexpr size_t kScramMaxSaltSize = 128;  // accepted when decoding
inline constexpr size_t kScramMaxEncodedSecret = 512;

struct ScramSecret {
  ScramHash hash = ScramHash::kSha256;
  uint32_t iterations = 0;
  std::string salt;        // binary
  std::string stored_key;  // binary, H(ClientKey)
  std::string server_key;  // binary, HMAC(SaltedPassword, "Server Key")
};

// "SCRAM-SHA-256:<iterations>:<b64 salt>:<b64 StoredKey>:<b64 ServerKey>"
// (or "SCRAM-SHA-1:..."). Decoding is strict: the hash name exactly, the
// iteration count in 1..kScramMaxIterations without leading zeros, a salt of
// 1..kScramMaxSaltSize bytes, keys of the hash's output size, base64 as in
// auth/base64.hpp.
std::string encode_scram_secret(const ScramSecret& secret);
Result<ScramSecret> decode_scram_secret(std::string_view text);

// A new secret with a random salt (kScramSaltSize bytes) from a password
// (already SASLprep'ed by the caller where needed: auth/saslprep.hpp,
// saslprep(..., SaslprepKind::kStored)). iterations is clamped to
// 1..kScramMaxIterations.
ScramSecret make_scram_secret(ScramHash hash, const Secret& password, uint32_t iterations);
// Same derivation with a given salt (for the RFC test vectors).
ScramSecret derive_scram_secret(ScramHash hash, const Secret& password, std::string_view salt,
                                uint32_t iterations);
// Checks a plaintext password (PLAIN, LOGIN) against a stored secret, in
// constant time.
bool password_matches(const ScramSecret& secret, const Secret& password);

}  // namespace gm::auth
