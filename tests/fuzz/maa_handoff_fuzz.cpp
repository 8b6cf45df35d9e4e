// Fuzzes the handoff line parser maa-mail runs on what arrives on its
// socket: any line either fails or parses to a handoff whose formatted
// form parses back to the same handoff; percent-encoding round-trips.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mail/maa_handoff.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto h = gm::mail::parse_handoff(input); h.ok()) {
    std::string line = gm::mail::format_handoff(*h);
    auto again = gm::mail::parse_handoff(std::string_view(line).substr(0, line.size() - 2));
    if (!again.ok() || !(*again == *h)) std::abort();
  }
  auto round = gm::mail::percent_decode(gm::mail::percent_encode(input));
  if (!round.ok() || *round != input) std::abort();
  return 0;
}
