// Fuzzes the queue log record parser (lib/mail/queue_log_record): a log
// segment after a power loss holds torn records and a recycled segment old
// ones, and recovery must refuse them cleanly, never crash or misread.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mail/queue_log_record.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // As recovery scans: the header's extent, then the whole record.
  auto extent = gm::mail::log_record_extent(bytes, bytes.size());
  if (extent) {
    if (auto record = gm::mail::decode_log_record(bytes.substr(0, *extent))) {
      // What decodes encodes back to the same bytes.
      auto again = gm::mail::encode_log_record(record->type, record->generation, record->queue_id,
                                               record->payload);
      if (again != bytes.substr(0, *extent)) __builtin_trap();
      if (record->type == gm::mail::LogRecordType::kCheckpoint)
        (void)gm::mail::decode_checkpoint_payload(record->payload);
    }
  }
  (void)gm::mail::decode_log_record(bytes);
  return 0;
}
