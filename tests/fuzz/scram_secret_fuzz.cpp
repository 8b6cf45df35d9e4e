// Fuzzes the stored SCRAM secret decoder: a decoded secret encodes back to
// the same text (the format has one spelling per secret).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "auth/scram_secret.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto secret = gm::auth::decode_scram_secret(input);
  if (secret.ok() && gm::auth::encode_scram_secret(*secret) != input) std::abort();
  return 0;
}
