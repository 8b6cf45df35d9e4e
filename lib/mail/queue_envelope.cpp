#include "mail/queue_envelope.hpp"

#include <string_view>

#include "core/str.hpp"
#include "mail/big_endian.hpp"
#include "mail/crc32c.hpp"

namespace gm::mail {
namespace {

constexpr std::string_view kMagic = "GMQF";

Error corrupt(std::string_view why) {
  return make_error(str_cat("corrupt queue file: ", why));
}

// Envelope record types. Every payload is text; numbers are decimal.
enum RecordType : char {
  kId = 'I',         // queue id
  kArrival = 'T',    // arrival time, microseconds since the epoch
  kSender = 'S',     // reverse-path without < >, empty for <>
  kEnvid = 'E',      // ENVID
  kRet = 'R',        // 0 unspecified, 1 FULL, 2 HDRS
  kBody = 'B',       // BodyType as a number
  kUtf8 = 'U',       // "1" when SMTPUTF8
  kSize = 'Z',       // SIZE= declared by the client
  kRecipient = 'r',  // address NUL orcpt NUL notify
  kClient = 'C',     // address NUL name NUL helo NUL protocol
  kAuth = 'A',       // authenticated user
  kTls = 'L',        // version NUL cipher
};

void put_record(std::string& out, char type, std::string_view payload) {
  out.push_back(type);
  put_u32(out, static_cast<uint32_t>(payload.size()));
  out.append(payload);
}

std::string joined(std::initializer_list<std::string_view> fields) {
  std::string out;
  bool first = true;
  for (auto field : fields) {
    if (!first) out.push_back('\0');
    out.append(field);
    first = false;
  }
  return out;
}

std::vector<std::string_view> fields_of(std::string_view payload) {
  std::vector<std::string_view> out;
  for (;;) {
    auto nul = payload.find('\0');
    out.push_back(payload.substr(0, nul));
    if (nul == std::string_view::npos) return out;
    payload.remove_prefix(nul + 1);
  }
}

bool has_nul(std::string_view s) {
  return s.find('\0') != std::string_view::npos;
}

template <typename N>
Result<N> number(std::string_view payload, N max) {
  auto n = parse_number<N>(payload);
  if (!n || *n > max) return corrupt("bad number in envelope");
  return *n;
}

Status apply_record(char type, std::string_view payload, Envelope& e, std::string& seen) {
  bool single = type != kRecipient;
  if (single && seen.find(type) != std::string::npos) return corrupt("repeated envelope record");
  seen.push_back(type);
  switch (type) {
    case kId:
      e.queue_id = payload;
      return {};
    case kArrival: {
      auto n = number<uint64_t>(payload, UINT64_MAX);
      if (!n) return n.error();
      e.arrival_micros = *n;
      return {};
    }
    case kSender:
      e.sender = payload;
      return {};
    case kEnvid:
      e.envid = payload;
      return {};
    case kRet: {
      auto n = number<int>(payload, 2);
      if (!n) return n.error();
      e.ret = static_cast<DsnRet>(*n);
      return {};
    }
    case kBody: {
      auto n = number<int>(payload, 3);
      if (!n) return n.error();
      e.body = static_cast<BodyType>(*n);
      return {};
    }
    case kUtf8:
      e.smtputf8 = payload == "1";
      return {};
    case kSize: {
      auto n = number<uint64_t>(payload, UINT64_MAX);
      if (!n) return n.error();
      e.declared_size = *n;
      return {};
    }
    case kRecipient: {
      auto f = fields_of(payload);
      if (f.size() != 3 || f[0].empty()) return corrupt("bad recipient record");
      if (e.recipients.size() == kMaxQueueRecipients) return corrupt("too many recipients");
      auto notify = number<uint8_t>(f[2], 15);
      if (!notify) return notify.error();
      QueueRecipient r;
      r.address = f[0];
      r.orcpt = f[1];
      r.notify = *notify;
      e.recipients.push_back(std::move(r));
      return {};
    }
    case kClient: {
      auto f = fields_of(payload);
      if (f.size() != 4) return corrupt("bad client record");
      e.client =
          ClientInfo{std::string(f[0]), std::string(f[1]), std::string(f[2]), std::string(f[3])};
      return {};
    }
    case kAuth:
      e.auth_user = payload;
      return {};
    case kTls: {
      auto f = fields_of(payload);
      if (f.size() != 2) return corrupt("bad TLS record");
      e.tls_version = f[0];
      e.tls_cipher = f[1];
      return {};
    }
    default:
      return corrupt(str_cat("unknown envelope record ", printable(std::string(1, type))));
  }
}

}  // namespace

std::string encode_header(const QueueHeader& h) {
  std::string out(kMagic);
  put_u16(out, h.version);
  put_u16(out, static_cast<uint16_t>(kQueueHeaderSize));
  put_u64(out, h.envelope_length);
  put_u64(out, h.content_length);
  put_u32(out, h.envelope_crc);
  put_u32(out, h.content_crc);
  put_u32(out, 0);  // reserved
  put_u32(out, crc32c(out));
  return out;
}

Result<QueueHeader> decode_header(std::string_view bytes, uint64_t file_size) {
  if (bytes.size() < kQueueHeaderSize) return corrupt("shorter than its header");
  if (get_be(bytes, 0, 4) == 0) return corrupt("incomplete (never committed)");
  if (bytes.substr(0, 4) != kMagic) return corrupt("not a queue file");
  if (get_be(bytes, 36, 4) != crc32c(bytes.substr(0, 36))) return corrupt("header checksum");
  QueueHeader h;
  h.version = static_cast<uint16_t>(get_be(bytes, 4, 2));
  if (h.version != kQueueFormatVersion) return corrupt(str_cat("unknown version ", h.version));
  if (get_be(bytes, 6, 2) != kQueueHeaderSize) return corrupt("bad header size");
  h.envelope_length = get_be(bytes, 8, 8);
  h.content_length = get_be(bytes, 16, 8);
  h.envelope_crc = static_cast<uint32_t>(get_be(bytes, 24, 4));
  h.content_crc = static_cast<uint32_t>(get_be(bytes, 28, 4));
  if (h.envelope_length > kMaxEnvelopeSize) return corrupt("envelope too large");
  if (h.content_length > file_size || h.state_offset() > file_size)
    return corrupt("truncated (shorter than its header says)");
  if (file_size - h.state_offset() > kMaxStateRegion) return corrupt("state records too large");
  return h;
}

Result<std::string> encode_envelope(const Envelope& e) {
  std::string out;
  auto text = [&](char type, std::string_view value) -> Status {
    if (value.size() > kMaxEnvelopeRecord) return make_error("envelope field too long");
    put_record(out, type, value);
    return {};
  };
  for (std::string_view field :
       {e.queue_id, e.sender, e.envid, e.auth_user, e.client.address, e.client.name, e.client.helo,
        e.client.protocol, e.tls_version, e.tls_cipher})
    if (has_nul(field)) return make_error("NUL in envelope field");
  if (e.recipients.empty() || e.recipients.size() > kMaxQueueRecipients)
    return make_error("envelope needs 1 to 10000 recipients");
  Status status;
  for (auto [type, value] : {std::pair{kId, std::string_view(e.queue_id)},
                             std::pair{kSender, std::string_view(e.sender)},
                             std::pair{kEnvid, std::string_view(e.envid)},
                             std::pair{kAuth, std::string_view(e.auth_user)}})
    if (status = text(type, value); !status) return status.error();
  put_record(out, kArrival, str_cat(e.arrival_micros));
  put_record(out, kRet, str_cat(static_cast<int>(e.ret)));
  put_record(out, kBody, str_cat(static_cast<int>(e.body)));
  put_record(out, kUtf8, e.smtputf8 ? "1" : "0");
  put_record(out, kSize, str_cat(e.declared_size));
  const ClientInfo& c = e.client;
  if (status = text(kClient, joined({c.address, c.name, c.helo, c.protocol})); !status)
    return status.error();
  if (status = text(kTls, joined({e.tls_version, e.tls_cipher})); !status) return status.error();
  for (const auto& r : e.recipients) {
    if (r.address.empty() || has_nul(r.address) || has_nul(r.orcpt))
      return make_error("bad recipient in envelope");
    if (status = text(kRecipient, joined({r.address, r.orcpt, str_cat(int{r.notify})})); !status)
      return status.error();
  }
  if (out.size() > kMaxEnvelopeSize) return make_error("envelope too large");
  return out;
}

Result<Envelope> decode_envelope(std::string_view bytes) {
  if (bytes.size() > kMaxEnvelopeSize) return corrupt("envelope too large");
  Envelope e;
  std::string seen;
  while (!bytes.empty()) {
    if (bytes.size() < 5) return corrupt("truncated envelope record");
    char type = bytes[0];
    uint64_t length = get_be(bytes, 1, 4);
    if (length > kMaxEnvelopeRecord || length > bytes.size() - 5)
      return corrupt("envelope record length");
    if (auto status = apply_record(type, bytes.substr(5, length), e, seen); !status)
      return status.error();
    bytes.remove_prefix(5 + length);
  }
  for (char required : {kId, kArrival, kSender})
    if (seen.find(required) == std::string::npos) return corrupt("envelope lacks a record");
  if (e.recipients.empty()) return corrupt("envelope without recipients");
  return e;
}

// State record: u32 payload length, u32 crc32c(payload), payload =
// u32 recipient, u8 state, u64 time, reply text.
std::string encode_state_record(const StateUpdate& u) {
  std::string payload;
  put_u32(payload, u.recipient);
  payload.push_back(static_cast<char>(u.state));
  put_u64(payload, u.when_micros);
  payload.append(std::string_view(u.reply).substr(0, kMaxStateReply));
  std::string out;
  put_u32(out, static_cast<uint32_t>(payload.size()));
  put_u32(out, crc32c(payload));
  return out + payload;
}

Result<size_t> apply_state_records(std::string_view bytes, Envelope& e) {
  constexpr size_t kFixed = 4 + 1 + 8;
  size_t used = 0;
  while (bytes.size() - used >= 8) {
    uint64_t length = get_be(bytes, used, 4);
    if (length < kFixed || length > kFixed + kMaxStateReply) return corrupt("state record length");
    if (length > bytes.size() - used - 8) return used;  // torn tail: the append never finished
    std::string_view payload = bytes.substr(used + 8, length);
    if (crc32c(payload) != get_be(bytes, used + 4, 4)) {
      if (used + 8 + length == bytes.size()) return used;  // torn last record
      return corrupt("state record checksum");
    }
    uint64_t index = get_be(payload, 0, 4);
    auto state = static_cast<unsigned char>(payload[4]);
    if (index == kMessageEvent && state == static_cast<uint8_t>(MessageEvent::kDelayWarned)) {
      e.delay_warned_micros = get_be(payload, 5, 8);
      used += 8 + length;
      continue;
    }
    if (index >= e.recipients.size() || state > 2) return corrupt("state record values");
    QueueRecipient& r = e.recipients[index];
    r.state = static_cast<RecipientState>(state);
    r.last_attempt_micros = get_be(payload, 5, 8);
    r.last_reply = payload.substr(kFixed);
    ++r.attempts;
    used += 8 + length;
  }
  return used;
}

Result<Envelope> decode_queue_file(std::string_view file) {
  auto header = decode_header(file.substr(0, kQueueHeaderSize), file.size());
  if (!header) return header.error();
  std::string_view envelope_bytes = file.substr(kQueueHeaderSize, header->envelope_length);
  if (crc32c(envelope_bytes) != header->envelope_crc) return corrupt("envelope checksum");
  auto envelope = decode_envelope(envelope_bytes);
  if (!envelope) return envelope.error();
  std::string_view content = file.substr(header->content_offset(), header->content_length);
  if (crc32c(content) != header->content_crc) return corrupt("content checksum");
  auto used = apply_state_records(file.substr(header->state_offset()), *envelope);
  if (!used) return used.error();
  return envelope;
}

}  // namespace gm::mail
