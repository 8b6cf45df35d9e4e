// Fuzzes authd's admin protocol: request lines (what authd parses from
// gmctl) and reply lines (what gmctl parses from authd), plus the address
// syntax the requests are checked with.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "store/address.hpp"
#include "store/admin_protocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto request = gm::store::parse_admin_request(input);
  if (request) {
    std::string line = gm::store::encode_admin_request(*request);
    auto again = gm::store::parse_admin_request(std::string_view(line).substr(0, line.size() - 1));
    if (!again || again->args != request->args) __builtin_trap();
  }
  (void)gm::store::canonical_address(input);
  gm::store::AdminReplyReader reader(gm::store::AdminCommand::kUserList);
  size_t start = 0;
  for (size_t eol; (eol = input.find('\n', start)) != std::string_view::npos; start = eol + 1)
    if (!reader.feed(input.substr(start, eol - start))) break;
  return 0;
}
