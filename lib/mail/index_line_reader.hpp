// Space-separated fields of '\n'-terminated lines, read without allocating:
// the text formats of gm-index and gm-index.log (mailbox_index.hpp,
// mailbox_index_log.hpp).
#pragma once

#include <charconv>
#include <string_view>

namespace gm::mail {

class IndexLineReader {
 public:
  explicit IndexLineReader(std::string_view text) : rest_(text) {}
  // The fields of one line already split off (no '\n').
  static IndexLineReader of_line(std::string_view line) {
    IndexLineReader in({});
    in.line_ = line;
    return in;
  }
  // False at the end, and for a last line without its '\n' (torn).
  bool next_line() {
    if (rest_.empty()) return false;
    size_t end = rest_.find('\n');
    if (end == std::string_view::npos) return false;
    line_ = rest_.substr(0, end);
    rest_.remove_prefix(end + 1);
    return true;
  }
  std::string_view field() {
    size_t space = line_.find(' ');
    std::string_view out = line_.substr(0, space);
    line_ = space == std::string_view::npos ? std::string_view() : line_.substr(space + 1);
    return out;
  }
  template <typename N>
  bool number(N& out) {
    std::string_view f = field();
    auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), out);
    return !f.empty() && ec == std::errc() && end == f.data() + f.size();
  }
  bool line_done() const { return line_.empty(); }
  std::string_view line() const { return line_; }
  bool at_end() const { return rest_.empty(); }
  std::string_view rest() const { return rest_; }

 private:
  std::string_view rest_, line_;
};

}  // namespace gm::mail
