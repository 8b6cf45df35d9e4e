#include "auth/scram_crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstdlib>

namespace gm::auth::scram {
namespace {

const EVP_MD* digest(ScramHash hash) {
  return hash == ScramHash::kSha1 ? EVP_sha1() : EVP_sha256();
}

// OpenSSL only fails here on allocation failure or a broken build; there is
// no sensible way to authenticate after that.
[[noreturn]] void crypto_failure() {
  std::abort();
}

}  // namespace

size_t digest_size(ScramHash hash) {
  return hash == ScramHash::kSha1 ? 20 : 32;
}

std::string_view mechanism_name(ScramHash hash) {
  return hash == ScramHash::kSha1 ? "SCRAM-SHA-1" : "SCRAM-SHA-256";
}

std::string hash(ScramHash hash, std::string_view data) {
  std::string out(EVP_MAX_MD_SIZE, '\0');
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &size,
                 digest(hash), nullptr) != 1)
    crypto_failure();
  out.resize(size);
  return out;
}

std::string hmac(ScramHash hash, std::string_view key, std::string_view data) {
  std::string out(EVP_MAX_MD_SIZE, '\0');
  unsigned int size = 0;
  if (HMAC(digest(hash), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(),
           reinterpret_cast<unsigned char*>(out.data()), &size) == nullptr)
    crypto_failure();
  out.resize(size);
  return out;
}

std::string hi(ScramHash hash, std::string_view password, std::string_view salt,
               uint32_t iterations) {
  std::string out(digest_size(hash), '\0');
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), static_cast<int>(iterations), digest(hash),
                        static_cast<int>(out.size()),
                        reinterpret_cast<unsigned char*>(out.data())) != 1)
    crypto_failure();
  return out;
}

std::string xor_bytes(std::string_view a, std::string_view b) {
  std::string out(a.size(), '\0');
  for (size_t i = 0; i < a.size() && i < b.size(); ++i)
    out[i] = static_cast<char>(static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i]));
  return out;
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
    crypto_failure();
  return out;
}

void wipe(std::string& s) {
  if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
  s.clear();
}

}  // namespace gm::auth::scram
