// Reads a message once, front to back, as line segments through a bounded
// buffer (kMimeReadChunk): a line longer than the buffer comes in several
// segments, only the first of which is at a line start. At every line start
// at least kMimeLookahead bytes (or the rest of the file) are in one
// segment, enough to recognise a boundary line. Internal to the MIME parser.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "mail/mime_source.hpp"

namespace gm::mail {

inline constexpr size_t kMimeLookahead = 1024;

struct LineSegment {
  uint64_t offset = 0;
  std::string_view bytes;  // valid until the next consume()
  bool line_start = false;
  bool has_lf = false;  // ends a line

  bool is_empty_line() const { return line_start && has_lf && (bytes == "\n" || bytes == "\r\n"); }
};

class MimeLineScanner {
 public:
  explicit MimeLineScanner(const MessageSource& source);

  // The next segment, or nullopt at the end of the message.
  Result<std::optional<LineSegment>> peek();
  void consume();

  uint64_t offset() const { return offset_; }          // of the next unconsumed byte
  uint64_t line_feeds() const { return line_feeds_; }  // LFs consumed so far
  size_t last_line_end() const { return last_eol_; }   // 2 CRLF, 1 LF, 0 none

 private:
  Status fill();

  const MessageSource& source_;
  std::vector<char> buffer_;
  uint64_t buffer_offset_ = 0;  // file offset of buffer_[0]
  size_t begin_ = 0, end_ = 0;  // unconsumed bytes in the buffer
  uint64_t offset_ = 0, line_feeds_ = 0;
  size_t last_eol_ = 0;
  bool at_line_start_ = true;
  bool ended_with_cr_ = false;  // the last consumed segment
  std::optional<LineSegment> current_;
};

}  // namespace gm::mail
