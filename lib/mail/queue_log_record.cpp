#include "mail/queue_log_record.hpp"

#include "core/str.hpp"
#include "mail/big_endian.hpp"
#include "mail/crc32c.hpp"

namespace gm::mail {
namespace {

constexpr std::string_view kMagic = "GMQL";
constexpr size_t kCheckpointPayload = 16;
constexpr size_t kMaxQueueId = 255;  // the id length is one byte

Error not_a_record(std::string_view why) {
  return make_error(str_cat("queue log: ", why));
}

}  // namespace

LogRecordHead log_record_head(LogRecordType type, std::string_view queue_id,
                              std::string_view payload) {
  queue_id = queue_id.substr(0, kMaxQueueId);
  LogRecordHead out;
  out.head.reserve(kLogRecordHeader + queue_id.size());
  out.head += kMagic;
  out.head.push_back(static_cast<char>(type));
  out.head.push_back(static_cast<char>(queue_id.size()));
  put_u16(out.head, 0);
  put_u64(out.head, payload.size());
  out.head += queue_id;
  out.crc = crc32c(payload, crc32c(out.head));
  out.size = out.head.size() + payload.size() + kLogRecordTrailer;
  return out;
}

std::string log_record_trailer(uint32_t crc, uint64_t generation) {
  std::string out;
  put_u64(out, generation);
  put_u32(out, crc32c(out, crc));
  return out;
}

std::string encode_log_record(LogRecordType type, uint64_t generation, std::string_view queue_id,
                              std::string_view payload) {
  LogRecordHead head = log_record_head(type, queue_id, payload);
  return str_cat(head.head, payload, log_record_trailer(head.crc, generation));
}

std::string encode_checkpoint_payload(LogPosition position) {
  std::string out;
  put_u64(out, position.generation);
  put_u64(out, position.offset);
  return out;
}

Result<LogPosition> decode_checkpoint_payload(std::string_view payload) {
  if (payload.size() != kCheckpointPayload) return not_a_record("bad checkpoint size");
  return LogPosition{get_be(payload, 0, 8), get_be(payload, 8, 8)};
}

Result<size_t> log_record_extent(std::string_view header, uint64_t max_size) {
  if (header.size() < kLogRecordHeader) return not_a_record("short header");
  if (header.substr(0, 4) != kMagic) return not_a_record("no magic");
  uint64_t id_length = static_cast<unsigned char>(header[5]);
  uint64_t payload = get_be(header, 8, 8);
  if (payload > max_size) return not_a_record("record too large");
  uint64_t size = kLogRecordHeader + id_length + payload + kLogRecordTrailer;
  if (size > max_size) return not_a_record("record too large");
  return static_cast<size_t>(size);
}

Result<LogRecord> decode_log_record(std::string_view bytes) {
  auto extent = log_record_extent(bytes, bytes.size());
  if (!extent) return extent.error();
  if (*extent != bytes.size()) return not_a_record("record size mismatch");
  size_t checked = bytes.size() - 4;
  if (get_be(bytes, checked, 4) != crc32c(bytes.substr(0, checked)))
    return not_a_record("checksum");
  auto type = static_cast<unsigned char>(bytes[4]);
  if (type != static_cast<unsigned char>(LogRecordType::kMessage) &&
      type != static_cast<unsigned char>(LogRecordType::kCheckpoint))
    return not_a_record("unknown record type");
  if (get_be(bytes, 6, 2) != 0) return not_a_record("reserved bits set");
  size_t id_length = static_cast<unsigned char>(bytes[5]);
  size_t payload_end = bytes.size() - kLogRecordTrailer;
  LogRecord record;
  record.type = static_cast<LogRecordType>(type);
  record.generation = get_be(bytes, payload_end, 8);
  record.queue_id = bytes.substr(kLogRecordHeader, id_length);
  record.payload =
      bytes.substr(kLogRecordHeader + id_length, payload_end - kLogRecordHeader - id_length);
  return record;
}

}  // namespace gm::mail
