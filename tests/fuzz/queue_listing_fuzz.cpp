// Fuzzes the queue listing line (mailq's reading of qmgr's answer): any
// bytes decode or fail cleanly, and what decodes encodes back to a line
// that decodes to the same listing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mail/queue_listing.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  auto entry = gm::mail::decode_listing_line(line);
  if (!entry) return 0;
  auto again = gm::mail::decode_listing_line(gm::mail::encode_listing_line(*entry));
  if (!again || again->id != entry->id || again->queue != entry->queue ||
      again->envelope.sender != entry->envelope.sender ||
      again->envelope.recipients.size() != entry->envelope.recipients.size())
    std::abort();
  return 0;
}
