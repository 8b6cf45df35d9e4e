#include "mail/mime_transfer_decoder.hpp"

#include <array>
#include <cstdint>

#include "core/str.hpp"
#include "mail/mime_hex.hpp"

namespace gm::mail {
namespace {

// RFC 4648 table 1; -1 for every other byte.
constexpr std::array<int8_t, 256> kBase64Values = [] {
  std::array<int8_t, 256> t{};
  t.fill(-1);
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (size_t i = 0; i < kAlphabet.size(); ++i)
    t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
  return t;
}();

// Decodes QP text; a whole line (without its line end) loses its trailing
// whitespace (RFC 2045 6.7 (3): padding added in transit) and reports a
// trailing "=" (soft line break) in soft.
void decode_qp(std::string_view line, bool whole_line, std::string& out, bool& soft) {
  if (whole_line) {
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    soft = !line.empty() && line.back() == '=';
    if (soft) line.remove_suffix(1);
  }
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '=' && i + 2 < line.size() && hex_value(line[i + 1]) >= 0 &&
        hex_value(line[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(line[i + 1]) * 16 + hex_value(line[i + 2])));
      i += 2;
    } else {
      out.push_back(line[i]);  // a bad escape is kept as written (6.7, note 1)
    }
  }
}

constexpr size_t kMaxQpPending = 4096;

}  // namespace

std::optional<TransferDecoder> TransferDecoder::create(std::string_view encoding) {
  std::string_view e = trim(encoding);
  if (e.empty() || iequals(e, "7bit") || iequals(e, "8bit") || iequals(e, "binary"))
    return TransferDecoder(Kind::kIdentity);
  if (iequals(e, "quoted-printable")) return TransferDecoder(Kind::kQuotedPrintable);
  if (iequals(e, "base64")) return TransferDecoder(Kind::kBase64);
  return std::nullopt;
}

void TransferDecoder::feed(std::string_view chunk, std::string& out) {
  switch (kind_) {
    case Kind::kIdentity:
      out.append(chunk);
      return;
    case Kind::kQuotedPrintable:
      return feed_qp(chunk, out);
    case Kind::kBase64:
      return feed_base64(chunk, out);
  }
}

void TransferDecoder::feed_qp(std::string_view chunk, std::string& out) {
  // Lines are decoded whole (trailing whitespace must be seen to drop it);
  // a line longer than kMaxQpPending is decoded in pieces, which can only
  // keep padding whitespace that a whole-line decode would drop.
  pending_.append(chunk);
  std::string_view s = pending_;
  size_t start = 0;
  for (;;) {
    size_t lf = s.find('\n', start);
    if (lf == std::string_view::npos) break;
    std::string_view line = s.substr(start, lf - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    bool soft = false;
    decode_qp(line, true, out, soft);
    if (!soft) out.append("\r\n");
    start = lf + 1;
  }
  pending_.erase(0, start);
  if (pending_.size() > kMaxQpPending) {
    // A very long line: decode it in pieces, keeping back a possible "=X".
    size_t cut = pending_.size();
    if (pending_[cut - 1] == '=')
      cut -= 1;
    else if (pending_[cut - 2] == '=')
      cut -= 2;
    bool soft = false;
    decode_qp(std::string_view(pending_).substr(0, cut), false, out, soft);
    pending_.erase(0, cut);
  }
}

void TransferDecoder::feed_base64(std::string_view chunk, std::string& out) {
  size_t start = out.size();
  out.resize(start + chunk.size() * 3 / 4 + 3);
  char* o = out.data() + start;
  for (unsigned char c : chunk) {
    int v = kBase64Values[c];
    if (v < 0) continue;  // line breaks, padding and junk (RFC 2045 6.8)
    quantum_ = (quantum_ << 6) | static_cast<unsigned>(v);
    bits_ += 6;
    if (bits_ >= 8) {
      bits_ -= 8;
      *o++ = static_cast<char>((quantum_ >> bits_) & 0xFF);
      quantum_ &= (1u << bits_) - 1;
    }
  }
  out.resize(static_cast<size_t>(o - out.data()));
}

void TransferDecoder::finish(std::string& out) {
  if (kind_ == Kind::kQuotedPrintable && !pending_.empty()) {
    bool soft = false;
    decode_qp(pending_, true, out, soft);
  }
  pending_.clear();
  quantum_ = bits_ = 0;
}

}  // namespace gm::mail
