// Fuzzes the authd relay codec: every line either fails to parse or parses
// to a message that formats to a line parsing back to the same message.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "auth/auth_protocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);

  auto request = gm::auth::parse_request(line);
  if (request.ok()) {
    std::string formatted = gm::auth::format_request(*request);
    auto again = gm::auth::parse_request(formatted);
    if (!again.ok() || !(*again == *request)) std::abort();
    if (gm::auth::format_request(*again) != formatted) std::abort();
  }

  auto reply = gm::auth::parse_reply(line);
  if (reply.ok()) {
    std::string formatted = gm::auth::format_reply(*reply);
    auto again = gm::auth::parse_reply(formatted);
    if (!again.ok() || !(*again == *reply)) std::abort();
    if (gm::auth::format_reply(*again) != formatted) std::abort();
  }
  return 0;
}
