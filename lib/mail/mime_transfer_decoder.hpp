// Content-Transfer-Encoding decoders (RFC 2045 6): quoted-printable and
// base64, streaming (chunks may split an escape or a base64 quantum), and
// the identity encodings 7bit, 8bit and binary. Decoding is lenient in the
// way RFC 2045 6.7 and 6.8 advise: characters outside the base64 alphabet
// are ignored, a bad "=XX" escape is kept as written.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gm::mail {

class TransferDecoder {
 public:
  enum class Kind { kIdentity, kQuotedPrintable, kBase64 };

  // nullopt for an encoding this decoder does not know (RFC 3516 UNKNOWN-CTE);
  // an empty name is 7bit (RFC 2045 6.1).
  static std::optional<TransferDecoder> create(std::string_view encoding);
  explicit TransferDecoder(Kind kind) : kind_(kind) {}

  // Appends the decoded bytes of chunk to out.
  void feed(std::string_view chunk, std::string& out);
  // Flushes what is pending at the end of the body.
  void finish(std::string& out);

 private:
  void feed_qp(std::string_view chunk, std::string& out);
  void feed_base64(std::string_view chunk, std::string& out);

  Kind kind_;
  std::string pending_;              // QP: an unfinished line tail or escape; unused for base64
  unsigned quantum_ = 0, bits_ = 0;  // base64: bits collected
};

}  // namespace gm::mail
