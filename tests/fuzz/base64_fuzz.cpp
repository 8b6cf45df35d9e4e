// Fuzzes the strict base64 decoder: whatever decodes must encode back to
// exactly the input (one spelling per value), and encoding any bytes must
// decode back to them.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "auth/base64.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto decoded = gm::auth::base64_decode(input);
  if (decoded.ok() && gm::auth::base64_encode(*decoded) != input) std::abort();
  auto round = gm::auth::base64_decode(gm::auth::base64_encode(input), size);
  if (!round.ok() || *round != input) std::abort();
  return 0;
}
