// Fuzzes the stored record format of the user directory: a damaged
// database must give errors, never crashes, and what decodes re-encodes to
// something that decodes the same.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "store/directory_records.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto user = gm::store::decode_user("a@example.org", input)) {
    auto again = gm::store::decode_user("a@example.org", gm::store::encode_user(*user));
    if (!again || again->mailbox != user->mailbox || again->quota != user->quota) __builtin_trap();
  }
  if (auto alias = gm::store::decode_alias("a@example.org", input)) {
    auto again = gm::store::decode_alias("a@example.org", gm::store::encode_alias(*alias));
    if (!again || again->targets != alias->targets) __builtin_trap();
  }
  (void)gm::store::decode_domain("example.org", input);
  return 0;
}
