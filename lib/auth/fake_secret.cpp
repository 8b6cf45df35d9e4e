#include "auth/fake_secret.hpp"

#include <mutex>

#include "auth/scram_crypto.hpp"
#include "core/str.hpp"

namespace gm::auth {
namespace {

constexpr size_t kFakeKeySize = 32;

std::mutex& key_mutex() {
  static std::mutex m;
  return m;
}

Secret& fake_key() {
  static Secret key;
  return key;
}

std::string current_key() {
  std::lock_guard lock(key_mutex());
  if (fake_key().empty()) fake_key() = Secret(scram::random_bytes(kFakeKeySize));
  return std::string(fake_key().expose());
}

// A value bound to purpose, hash and name; NUL separators keep the inputs
// of different purposes from colliding.
std::string derive(std::string_view key, std::string_view purpose, ScramHash hash,
                   std::string_view authcid, size_t size) {
  std::string input = str_cat(purpose, '\0', scram::mechanism_name(hash), '\0', authcid);
  std::string out = scram::hmac(ScramHash::kSha256, key, input);
  out.resize(size);
  return out;
}

}  // namespace

void set_fake_secret_key(const Secret& key) {
  std::lock_guard lock(key_mutex());
  fake_key() = key;
}

ScramSecret fake_scram_secret(ScramHash hash, std::string_view authcid, uint32_t iterations) {
  std::string key = current_key();
  size_t key_size = scram::digest_size(hash);
  ScramSecret secret;
  secret.hash = hash;
  secret.iterations = iterations;
  secret.salt = derive(key, "salt", hash, authcid, kScramSaltSize);
  secret.stored_key = derive(key, "stored", hash, authcid, key_size);
  secret.server_key = derive(key, "server", hash, authcid, key_size);
  scram::wipe(key);
  return secret;
}

}  // namespace gm::auth
