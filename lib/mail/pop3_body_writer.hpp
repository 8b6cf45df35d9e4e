// The wire form of a message in a POP3 multi-line response (RFC 1939 3):
// every line ends in CRLF (a stored bare LF gets its CR), a line starting
// with '.' gets a second '.', and the response ends with ".\r\n". For TOP
// (RFC 1939 7) it stops after the header and the first n body lines.
// Works on chunks of any size, so a message streams through a bounded
// buffer and is never read whole.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gm::mail {

class Pop3BodyWriter {
 public:
  // body_lines: TOP's line count; nullopt for RETR (the whole message).
  explicit Pop3BodyWriter(std::optional<uint64_t> body_lines = std::nullopt)
      : lines_left_(body_lines) {}

  // Appends the wire form of `chunk` to `out`. False once TOP has all it
  // needs: the rest of the message is not wanted.
  bool feed(std::string_view chunk, std::string& out);
  // Appends the end of the response: CRLF if the message did not end with
  // one, then ".\r\n".
  void finish(std::string& out);

  // The size the message has on the wire (without stuffing): its bytes
  // plus a CR for each bare LF, as LIST and STAT report (RFC 1939 5).
  static uint64_t wire_size(std::string_view chunk, bool& after_cr);

 private:
  std::optional<uint64_t> lines_left_;
  bool at_line_start_ = true;
  bool after_cr_ = false;
  bool line_empty_ = true;
  bool in_header_ = true;
};

}  // namespace gm::mail
