#include "mail/mime_line_scanner.hpp"

#include <algorithm>
#include <cstring>

namespace gm::mail {

MimeLineScanner::MimeLineScanner(const MessageSource& source)
    : source_(source), buffer_(kMimeReadChunk) {}

// Moves the unconsumed bytes to the front and reads more behind them.
Status MimeLineScanner::fill() {
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    buffer_offset_ += begin_;
    end_ -= begin_;
    begin_ = 0;
  }
  while (end_ < buffer_.size()) {
    auto n = source_.read_at(buffer_offset_ + end_,
                             std::span<char>(buffer_.data() + end_, buffer_.size() - end_));
    if (!n) return n.error();
    if (*n == 0) break;
    end_ += *n;
  }
  return {};
}

Result<std::optional<LineSegment>> MimeLineScanner::peek() {
  if (current_) return current_;
  bool need_more = at_line_start_ ? end_ - begin_ < kMimeLookahead : begin_ == end_;
  if (need_more && offset_ < source_.size()) {
    if (Status s = fill(); !s) return s.error();
  }
  if (begin_ == end_) return std::optional<LineSegment>();
  std::string_view available(buffer_.data() + begin_, end_ - begin_);
  size_t lf = available.find('\n');
  LineSegment segment;
  segment.offset = offset_;
  segment.line_start = at_line_start_;
  segment.has_lf = lf != std::string_view::npos;
  segment.bytes = segment.has_lf ? available.substr(0, lf + 1) : available;
  current_ = segment;
  return current_;
}

void MimeLineScanner::consume() {
  if (!current_) return;
  const LineSegment& s = *current_;
  begin_ += s.bytes.size();
  offset_ += s.bytes.size();
  if (s.has_lf) {
    ++line_feeds_;
    // The CR of a CRLF may have ended the previous segment.
    bool cr = s.bytes.size() >= 2 ? s.bytes[s.bytes.size() - 2] == '\r' : ended_with_cr_;
    last_eol_ = cr ? 2 : 1;
  } else {
    last_eol_ = 0;
  }
  ended_with_cr_ = s.bytes.back() == '\r';
  at_line_start_ = s.has_lf;
  current_.reset();
}

}  // namespace gm::mail
