// Fuzzes gm::net::LineSplitter, the line framing under every protocol: the
// first byte picks the line limit, the second the read size; the rest is
// the byte stream. Checks the invariants the Connection relies on.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "net/line_splitter.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  size_t max_line = 1 + data[0] % 64;
  size_t step = 1 + data[1] % 32;
  std::string_view input(reinterpret_cast<const char*>(data) + 2, size - 2);
  gm::net::LineSplitter splitter(max_line);
  size_t lines_seen = 0, newlines = 0;
  for (char c : input) newlines += c == '\n';
  while (!input.empty()) {
    std::string_view piece = input.substr(0, step);
    input.remove_prefix(piece.size());
    while (!piece.empty()) {
      gm::net::LineEvent event = splitter.feed(piece);
      if (event.consumed == 0 || event.consumed > piece.size()) abort();
      if (event.kind == gm::net::LineEvent::Kind::kLine) {
        ++lines_seen;
        if (event.line.size() > max_line) abort();
        if (event.line.find('\n') != std::string_view::npos) abort();
        // The consumed bytes end at the line's LF.
        if (piece[event.consumed - 1] != '\n') abort();
      }
      if (splitter.pending() > max_line + 1) abort();  // memory stays bounded
      piece.remove_prefix(event.consumed);
    }
  }
  if (lines_seen > newlines) abort();
  return 0;
}
