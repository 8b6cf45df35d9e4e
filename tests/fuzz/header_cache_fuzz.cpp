// The header cache's entries on any bytes: a header block becomes a
// CachedHeader (RFC 2047 decoding and case folding of the SEARCH fields);
// every lookup answers without a crash, and a value found by fields() is
// found again by contains() for the folded fields.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/str.hpp"
#include "mail/header_cache.hpp"
#include "mail/mime_encoded_word.hpp"
#include "mail/mime_search.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string block(reinterpret_cast<const char*>(data), size);
  auto header = gm::mail::CachedHeader::from_block(block);
  for (std::string_view name : {"From", "subject", "X-Other", ""}) header.contains(name, "a");
  for (const auto& field : header.fields()) {
    for (std::string_view name : gm::mail::CachedHeader::kFoldedFields) {
      if (!gm::iequals(field.name, name)) continue;
      std::string folded = gm::mail::casefold(gm::mail::decode_encoded_words(field.value));
      if (folded.find('\0') != std::string::npos) continue;  // stored as a space
      if (!header.contains(name, folded)) std::abort();
    }
  }
  return 0;
}
