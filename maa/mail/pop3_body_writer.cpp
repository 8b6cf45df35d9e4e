#include "pop3_body_writer.hpp"

namespace gm::maa {

bool Pop3BodyWriter::feed(std::string_view chunk, std::string& out) {
  out.reserve(out.size() + chunk.size() + chunk.size() / 32);
  for (char c : chunk) {
    if (at_line_start_) {
      if (!in_header_ && lines_left_ && *lines_left_ == 0) return false;
      if (c == '.') out += '.';  // RFC 1939 3: byte-stuffing
      at_line_start_ = false;
      line_empty_ = true;
    }
    if (c == '\n') {
      if (!after_cr_) out += '\r';
      out += '\n';
      at_line_start_ = true;
      after_cr_ = false;
      if (in_header_) {
        if (line_empty_) in_header_ = false;  // the blank line ends the header
      } else if (lines_left_) {
        --*lines_left_;
      }
      continue;
    }
    out += c;
    after_cr_ = c == '\r';
    if (c != '\r') line_empty_ = false;
  }
  return !(!in_header_ && at_line_start_ && lines_left_ && *lines_left_ == 0);
}

void Pop3BodyWriter::finish(std::string& out) {
  if (!at_line_start_) out += after_cr_ ? "\n" : "\r\n";
  out += ".\r\n";
}

uint64_t Pop3BodyWriter::wire_size(std::string_view chunk, bool& after_cr) {
  uint64_t size = chunk.size();
  for (char c : chunk) {
    if (c == '\n' && !after_cr) ++size;
    after_cr = c == '\r';
  }
  return size;
}

}  // namespace gm::maa
