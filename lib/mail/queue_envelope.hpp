// The envelope of a queued message and its byte encoding inside a queue
// file (queue_file.hpp has the file layout). Pure functions on bytes, so the
// fuzzer and gmctl can use them without a queue directory.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "mail/esmtp_params.hpp"

namespace gm::mail {

inline constexpr uint16_t kQueueFormatVersion = 1;
inline constexpr size_t kQueueHeaderSize = 40;
inline constexpr size_t kMaxEnvelopeSize = 16 << 20;    // all envelope records
inline constexpr size_t kMaxEnvelopeRecord = 64 << 10;  // one record's payload
inline constexpr size_t kMaxQueueRecipients = 10000;
inline constexpr size_t kMaxStateRegion = 16 << 20;  // appended state records
inline constexpr size_t kMaxStateReply = 2048;       // reply text kept per attempt

enum class RecipientState : uint8_t { kPending = 0, kDelivered = 1, kFailed = 2 };
// A state record about the whole message rather than one recipient: its
// recipient index is kMessageEvent and its state byte one of these. Files
// written before these existed simply have none (they still parse).
inline constexpr uint32_t kMessageEvent = 0xffffffff;
enum class MessageEvent : uint8_t { kDelayWarned = 3 };

struct QueueRecipient {
  std::string address;              // as accepted (local@domain), without < >
  std::string orcpt;                // RFC 3461 ORCPT, "addr-type;address", decoded; may be empty
  uint8_t notify = kNotifyDefault;  // NotifyFlags
  // From the state records (never in the envelope itself):
  RecipientState state = RecipientState::kPending;
  std::string last_reply;  // last delivery attempt's reply, e.g. "452 4.2.2 Mailbox full"
  uint64_t last_attempt_micros = 0;
  uint32_t attempts = 0;
};

struct ClientInfo {
  std::string address;  // "192.0.2.1" or "local" for sendmail
  std::string name;     // verified reverse name, or "unknown"
  std::string helo;
  std::string protocol;  // Received "with": ESMTPSA, ESMTPS, ESMTP, LMTP, local
};

struct Envelope {
  std::string queue_id;
  uint64_t arrival_micros = 0;
  std::string sender;  // empty: the null reverse-path <>
  std::string envid;   // RFC 3461 ENVID, decoded
  DsnRet ret = DsnRet::kUnspecified;
  BodyType body = BodyType::kUnspecified;
  bool smtputf8 = false;
  uint64_t declared_size = 0;  // SIZE= from MAIL FROM, 0 if none
  std::vector<QueueRecipient> recipients;
  ClientInfo client;
  std::string auth_user;  // empty: not authenticated
  std::string tls_version;
  std::string tls_cipher;
  // From the state records: when the delay warning (delay_warning_time)
  // went to the sender, 0 if it has not.
  uint64_t delay_warned_micros = 0;
};

// The fixed header at offset 0 of every queue file.
struct QueueHeader {
  uint16_t version = kQueueFormatVersion;
  uint64_t envelope_length = 0;
  uint64_t content_length = 0;
  uint32_t envelope_crc = 0;
  uint32_t content_crc = 0;

  uint64_t content_offset() const { return kQueueHeaderSize + envelope_length; }
  uint64_t state_offset() const { return content_offset() + content_length; }
};

std::string encode_header(const QueueHeader& header);
// `bytes` are the first kQueueHeaderSize bytes; file_size checks truncation.
Result<QueueHeader> decode_header(std::string_view bytes, uint64_t file_size);

Result<std::string> encode_envelope(const Envelope& envelope);
Result<Envelope> decode_envelope(std::string_view bytes);

struct StateUpdate {
  uint32_t recipient = 0;  // index into Envelope::recipients, or kMessageEvent
  // With kMessageEvent the byte holds a MessageEvent (the type's underlying uint8_t).
  RecipientState state = RecipientState::kPending;
  uint64_t when_micros = 0;
  std::string reply;
};
std::string encode_state_record(const StateUpdate& update);
// Applies the state records in `bytes` to the envelope's recipients and
// returns how many bytes were valid records. A torn last record (a crash
// while appending) ends the valid part; damage before the end is an error.
Result<size_t> apply_state_records(std::string_view bytes, Envelope& envelope);

// A whole queue file in memory: header, envelope, content checksum, state.
// For the fuzzer, tests and small tools; daemons use QueueFile (streams).
Result<Envelope> decode_queue_file(std::string_view file);

}  // namespace gm::mail
