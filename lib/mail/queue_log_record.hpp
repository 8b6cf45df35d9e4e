// One record of the queue log (queue_log.hpp). Integers big-endian:
//
//   0   "GMQL"   4  u8 type   5  u8 id length   6  u16 reserved (0)
//   8   u64 payload length P
//   16  queue ID (id length bytes), then the payload (P bytes)
//   end u64 segment generation, u32 crc32c of every byte before it
//
// The generation sits at the end so the committer can stamp it on a record
// whose checksum the writer started: crc32c(generation, crc(rest)).
// kMessage: the payload is the complete queue file (queue_file.hpp) of the
// message the ID names. kCheckpoint: no ID; the payload is the log position
// (u64 generation, u64 offset) before which every message's queue file is
// durable in the file store, so recovery replays only what follows it.
// A record counts only if magic, generation (the segment's current one) and
// checksum all match: a torn write or a recycled segment's old records end
// the scan, never replay.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace gm::mail {

inline constexpr size_t kLogRecordHeader = 16;
inline constexpr size_t kLogRecordTrailer = 12;

enum class LogRecordType : uint8_t { kMessage = 1, kCheckpoint = 2 };

// A place in the log: segment generation, byte offset inside that segment.
struct LogPosition {
  uint64_t generation = 0;
  uint64_t offset = 0;
  auto operator<=>(const LogPosition&) const = default;
};

struct LogRecord {
  LogRecordType type = LogRecordType::kMessage;
  uint64_t generation = 0;
  std::string_view queue_id;
  std::string_view payload;
};

// A record in two parts, written with one pwritev: head (header and ID),
// the payload as it is, then log_record_trailer(crc, generation).
struct LogRecordHead {
  std::string head;
  uint32_t crc = 0;  // over head and payload
  size_t size = 0;   // of the whole record
};
LogRecordHead log_record_head(LogRecordType type, std::string_view queue_id,
                              std::string_view payload);
std::string log_record_trailer(uint32_t crc, uint64_t generation);
std::string encode_log_record(LogRecordType type, uint64_t generation, std::string_view queue_id,
                              std::string_view payload);

std::string encode_checkpoint_payload(LogPosition position);
Result<LogPosition> decode_checkpoint_payload(std::string_view payload);

// From the first kLogRecordHeader bytes: the whole record's size, or an
// error when they start no record or claim more than max_size bytes.
Result<size_t> log_record_extent(std::string_view header, uint64_t max_size);
// A whole record (exactly log_record_extent bytes): checks every field and the checksum.
Result<LogRecord> decode_log_record(std::string_view bytes);

}  // namespace gm::mail
