// Fuzzes the queue file reader on arbitrary bytes (a damaged queue must be
// moved to corrupt/, never crash qmgr): the in-memory decoder, and the
// envelope and state-record decoders without the checksums in the way.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mail/queue_envelope.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)gm::mail::decode_queue_file(bytes);
  if (auto envelope = gm::mail::decode_envelope(bytes)) {
    // What decodes must encode again (or be refused cleanly) and decode the same.
    if (auto again = gm::mail::encode_envelope(*envelope)) {
      auto round = gm::mail::decode_envelope(*again);
      if (!round || round->recipients.size() != envelope->recipients.size()) __builtin_trap();
    }
  }
  // Split: a valid-looking envelope followed by state records from the input.
  gm::mail::Envelope envelope;
  envelope.recipients.resize(3);
  (void)gm::mail::apply_state_records(bytes, envelope);
  return 0;
}
