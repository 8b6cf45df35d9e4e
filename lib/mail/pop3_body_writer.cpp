#include "mail/pop3_body_writer.hpp"

namespace gm::mail {

// Copies whole runs between line ends; only line starts and ends need a look.
bool Pop3BodyWriter::feed(std::string_view chunk, std::string& out) {
  out.reserve(out.size() + chunk.size() + chunk.size() / 32);
  size_t i = 0;
  while (i < chunk.size()) {
    if (at_line_start_) {
      if (!in_header_ && lines_left_ && *lines_left_ == 0) return false;
      if (chunk[i] == '.') out += '.';  // RFC 1939 3: byte-stuffing
      at_line_start_ = false;
      line_empty_ = true;
    }
    size_t lf = chunk.find('\n', i);
    size_t end = lf == std::string_view::npos ? chunk.size() : lf;
    if (end > i) {
      std::string_view run = chunk.substr(i, end - i);
      out.append(run);
      after_cr_ = run.back() == '\r';
      if (run.find_first_not_of('\r') != std::string_view::npos) line_empty_ = false;
    }
    if (lf == std::string_view::npos) break;
    if (!after_cr_) out += '\r';
    out += '\n';
    at_line_start_ = true;
    after_cr_ = false;
    if (in_header_) {
      if (line_empty_) in_header_ = false;  // the blank line ends the header
    } else if (lines_left_) {
      --*lines_left_;
    }
    i = lf + 1;
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

}  // namespace gm::mail
