#include "net/line_splitter.hpp"

namespace gm::net {
namespace {

std::string_view strip_cr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

void LineSplitter::reset() {
  partial_.clear();
  line_in_partial_ = false;
  discarding_ = false;
}

std::string LineSplitter::take_partial() {
  std::string out = line_in_partial_ || discarding_ ? std::string() : std::move(partial_);
  reset();
  return out;
}

LineEvent LineSplitter::feed(std::string_view input) {
  if (line_in_partial_) {
    partial_.clear();
    line_in_partial_ = false;
  }
  LineEvent event;
  while (true) {
    std::string_view rest = input.substr(event.consumed);
    size_t lf = rest.find('\n');
    if (discarding_) {
      if (lf == std::string_view::npos) {
        event.consumed = input.size();
        return event;
      }
      discarding_ = false;
      event.consumed += lf + 1;
      continue;
    }
    if (lf == std::string_view::npos) {
      // One byte beyond the limit may be the CR of a CRLF split across reads.
      if (partial_.size() + rest.size() > max_line_ + 1) {
        partial_.clear();
        discarding_ = true;
        event.consumed = input.size();
        event.kind = LineEvent::Kind::kTooLong;
        return event;
      }
      partial_.append(rest);
      event.consumed = input.size();
      return event;
    }
    event.consumed += lf + 1;
    std::string_view piece = rest.substr(0, lf);
    char last = !piece.empty() ? piece.back() : (partial_.empty() ? '\0' : partial_.back());
    size_t length = partial_.size() + piece.size() - (last == '\r' ? 1 : 0);
    if (length > max_line_) {
      partial_.clear();
      event.kind = LineEvent::Kind::kTooLong;
      return event;
    }
    std::string_view line = strip_cr(piece);
    if (!partial_.empty()) {
      partial_.append(piece);
      line_in_partial_ = true;
      line = strip_cr(partial_);
    }
    event.kind = LineEvent::Kind::kLine;
    event.line = line;
    return event;
  }
}

}  // namespace gm::net
