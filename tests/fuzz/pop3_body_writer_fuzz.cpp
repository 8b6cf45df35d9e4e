// Fuzzes the POP3 message writer (byte-stuffing, CRLF, TOP): the wire form
// does not depend on how the message is cut into chunks, never has a bare
// LF or an unstuffed line starting with '.', and ends with CRLF.CRLF.
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "mail/pop3_body_writer.hpp"

namespace {

std::string wire(std::string_view message, std::optional<uint64_t> top, size_t chunk) {
  gm::mail::Pop3BodyWriter writer(top);
  std::string out;
  for (size_t i = 0; i < message.size(); i += chunk)
    if (!writer.feed(message.substr(i, chunk), out)) break;
  writer.finish(out);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  std::optional<uint64_t> top;
  if (data[0] & 1) top = data[0] >> 1;
  size_t chunk = 1 + data[1] % 7;
  std::string_view message(reinterpret_cast<const char*>(data) + 2, size - 2);
  std::string whole = wire(message, top, message.size() + 1);
  if (wire(message, top, chunk) != whole) std::abort();
  if (whole.size() < 3 || whole.compare(whole.size() - 3, 3, ".\r\n") != 0) std::abort();
  if (whole.size() > 3 && whole.compare(whole.size() - 5, 2, "\r\n") != 0) std::abort();
  for (size_t i = 0; i < whole.size(); ++i) {
    if (whole[i] == '\n' && (i == 0 || whole[i - 1] != '\r')) std::abort();
    bool line_start = i == 0 || whole[i - 1] == '\n';
    // A stuffed line starts "..": only the terminator is a lone ".\r\n".
    if (line_start && whole[i] == '.' && i + 3 != whole.size() &&
        (i + 1 >= whole.size() || whole[i + 1] != '.'))
      std::abort();
  }
  return 0;
}
