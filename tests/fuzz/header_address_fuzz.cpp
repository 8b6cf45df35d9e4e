// Fuzzes the RFC 5322 address-list and mailbox-list parsers: any bytes give
// addresses or an Error, never a crash, a hang or unbounded recursion.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mail/header_address.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto list = gm::mail::parse_address_list(text)) {
    for (const auto& mailbox : gm::mail::flatten(*list)) (void)mailbox.address();
  }
  (void)gm::mail::parse_mailbox_list(text);
  return 0;
}
