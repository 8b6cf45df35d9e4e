#include "auth/scram_secret.hpp"

#include <algorithm>

#include "auth/base64.hpp"
#include "auth/scram_crypto.hpp"
#include "core/str.hpp"

namespace gm::auth {
namespace {

uint32_t clamp_iterations(uint32_t iterations) {
  return std::clamp<uint32_t>(iterations, 1, kScramMaxIterations);
}

Result<ScramHash> parse_hash_name(std::string_view name) {
  if (name == scram::mechanism_name(ScramHash::kSha256)) return ScramHash::kSha256;
  if (name == scram::mechanism_name(ScramHash::kSha1)) return ScramHash::kSha1;
  return make_error("SCRAM secret: unknown hash");
}

Result<uint32_t> parse_iterations(std::string_view text) {
  if (text.size() > 1 && text[0] == '0') return make_error("SCRAM secret: bad iteration count");
  auto n = parse_number<uint32_t>(text);
  if (!n || *n < 1 || *n > kScramMaxIterations)
    return make_error("SCRAM secret: bad iteration count");
  return *n;
}

Result<std::string> decode_field(std::string_view text, size_t min_size, size_t max_size,
                                 std::string_view what) {
  auto bytes = base64_decode(text, max_size);
  if (!bytes || bytes->size() < min_size) return make_error(str_cat("SCRAM secret: bad ", what));
  return bytes;
}

}  // namespace

std::string encode_scram_secret(const ScramSecret& secret) {
  return str_cat(scram::mechanism_name(secret.hash), ':', secret.iterations, ':',
                 base64_encode(secret.salt), ':', base64_encode(secret.stored_key), ':',
                 base64_encode(secret.server_key));
}

Result<ScramSecret> decode_scram_secret(std::string_view text) {
  if (text.size() > kScramMaxEncodedSecret) return make_error("SCRAM secret: too long");
  std::string_view fields[5];
  size_t count = 0;
  for (size_t start = 0;;) {
    size_t colon = text.find(':', start);
    if (count == 5) return make_error("SCRAM secret: too many fields");
    fields[count++] = text.substr(start, colon == std::string_view::npos ? colon : colon - start);
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  if (count != 5) return make_error("SCRAM secret: expected 5 fields");

  auto hash = parse_hash_name(fields[0]);
  if (!hash) return hash.error();
  auto iterations = parse_iterations(fields[1]);
  if (!iterations) return iterations.error();
  size_t key_size = scram::digest_size(*hash);
  auto salt = decode_field(fields[2], 1, kScramMaxSaltSize, "salt");
  if (!salt) return salt.error();
  auto stored_key = decode_field(fields[3], key_size, key_size, "StoredKey");
  if (!stored_key) return stored_key.error();
  auto server_key = decode_field(fields[4], key_size, key_size, "ServerKey");
  if (!server_key) return server_key.error();
  return ScramSecret{*hash, *iterations, std::move(*salt), std::move(*stored_key),
                     std::move(*server_key)};
}

ScramSecret make_scram_secret(ScramHash hash, const Secret& password, uint32_t iterations) {
  return derive_scram_secret(hash, password, scram::random_bytes(kScramSaltSize), iterations);
}

// RFC 5802 section 3: SaltedPassword := Hi(Normalize(password), salt, i),
// ClientKey := HMAC(SaltedPassword, "Client Key"), StoredKey := H(ClientKey),
// ServerKey := HMAC(SaltedPassword, "Server Key").
ScramSecret derive_scram_secret(ScramHash hash, const Secret& password, std::string_view salt,
                                uint32_t iterations) {
  ScramSecret secret;
  secret.hash = hash;
  secret.iterations = clamp_iterations(iterations);
  secret.salt = std::string(salt);
  std::string salted = scram::hi(hash, password.expose(), salt, secret.iterations);
  std::string client_key = scram::hmac(hash, salted, "Client Key");
  secret.stored_key = scram::hash(hash, client_key);
  secret.server_key = scram::hmac(hash, salted, "Server Key");
  scram::wipe(client_key);
  scram::wipe(salted);
  return secret;
}

bool password_matches(const ScramSecret& secret, const Secret& password) {
  if (secret.iterations < 1 || secret.iterations > kScramMaxIterations) return false;
  ScramSecret candidate =
      derive_scram_secret(secret.hash, password, secret.salt, secret.iterations);
  // Both comparisons always run, so the time does not tell which differed.
  bool stored_ok = scram::equal_constant_time(candidate.stored_key, secret.stored_key);
  bool server_ok = scram::equal_constant_time(candidate.server_key, secret.server_key);
  scram::wipe(candidate.stored_key);
  scram::wipe(candidate.server_key);
  return stored_ok & server_ok;
}

}  // namespace gm::auth
