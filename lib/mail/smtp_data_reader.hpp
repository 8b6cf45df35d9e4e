// The DATA section of an SMTP transaction (RFC 5321 4.1.1.4, 4.5.2), read
// from raw bytes, not lines: the end of data is ONLY <CRLF>.<CRLF>, and a
// bare LF or bare CR anywhere (an LF without CR before it, a CR without LF
// after it) marks the message, which is then rejected whole (554 5.6.0) or,
// by smtpd_bare_line_ending = normalize, stored with CRLF in its place.
// Either way no byte sequence other than <CRLF>.<CRLF> ends the message, so
// SMTP smuggling (CVE-2023-51764: <LF>.<LF>, <CR>.<CR>, <LF>.<CR><LF>,
// <CR><LF>.<LF>, ...) can never split one message into two.
// Pure: no sockets, so unit tests and the fuzzer drive it directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace gm::mail {

enum class BareLineEnding { kReject, kNormalize };

class SmtpDataReader {
 public:
  // max_size: content bytes kept at most; beyond it the rest is counted and
  // discarded (552 5.3.4 at the end).
  SmtpDataReader(BareLineEnding mode, uint64_t max_size) : mode_(mode), max_size_(max_size) {}

  // Appends the unstuffed content (CRLF line endings) of `input` to
  // `content` and returns how many input bytes it used: all of them, or up
  // to and including the final LF of <CRLF>.<CRLF>, after which done().
  size_t feed(std::string_view input, std::string& content);

  bool done() const { return state_ == State::kDone; }
  bool saw_bare_line_ending() const { return bare_; }
  bool too_big() const { return size_ > max_size_; }
  // Content bytes seen (including those discarded beyond max_size).
  uint64_t size() const { return size_; }

 private:
  // kStart: at the beginning of a line that followed a real CRLF (or the
  // DATA command); kSoftStart: after a bare CR or LF, where a "." line is
  // never the end of data.
  enum class State { kStart, kSoftStart, kDot, kSoftDot, kDotCr, kSoftDotCr, kText, kCr, kDone };

  void emit(std::string_view bytes, std::string& content);
  void bare(std::string& content);
  State step(State state, char c, std::string& content);

  BareLineEnding mode_;
  uint64_t max_size_;
  uint64_t size_ = 0;
  bool bare_ = false;
  State state_ = State::kStart;
};

}  // namespace gm::mail
