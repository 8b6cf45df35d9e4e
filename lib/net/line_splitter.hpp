// Splits a byte stream into lines with a hard length limit, without
// sockets: the Connection feeds it, and so do the unit tests and the fuzz
// target. A line ends in LF (CRLF or bare LF); the terminator is not part
// of the line. A line longer than the limit is reported once, as soon as
// the limit is crossed, and the rest of it (up to its LF) is discarded, so
// memory never grows beyond the limit whatever the client sends.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace gm::net {

struct LineEvent {
  enum class Kind { kNeedMore, kLine, kTooLong };
  Kind kind = Kind::kNeedMore;
  std::string_view line;  // kLine only; valid until the next feed() or reset()
  size_t consumed = 0;    // bytes of the input this call used up
};

class LineSplitter {
 public:
  // max_line counts the line's bytes without its CRLF or LF.
  explicit LineSplitter(size_t max_line) : max_line_(max_line) {}

  // Consumes input up to and including the end of at most one event (one
  // line, or the moment a line becomes too long), so the caller can change
  // mode (raw bytes, TLS) between lines. Bytes after the event stay unused.
  LineEvent feed(std::string_view input);

  // Forgets any partial line and any line being discarded.
  void reset();
  void set_max_line(size_t max_line) { max_line_ = max_line; }
  size_t max_line() const { return max_line_; }
  size_t pending() const { return partial_.size(); }
  // Hands back the start of a line not yet returned (for a switch to raw
  // bytes mid-line) and forgets it.
  std::string take_partial();
  bool discarding() const { return discarding_; }

 private:
  size_t max_line_;
  std::string partial_;           // start of a line whose LF has not arrived
  bool line_in_partial_ = false;  // the last kLine pointed into partial_
  bool discarding_ = false;       // inside an over-long line, dropping to its LF
};

}  // namespace gm::net
