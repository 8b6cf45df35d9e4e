// sendmail's input path: the bytes a local user pipes in, split into lines
// (with and without -i), the header section collected and prepared for -t;
// and the same bytes as the stream gm-postdrop (set-group-ID) reads.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "mail/local_message.hpp"
#include "mail/postdrop_stream.hpp"

namespace {

void fuzz_message(std::string_view input, bool ignore_dots) {
  gm::mail::InputLines lines(ignore_dots, gm::mail::kMaxBodyLine);
  gm::mail::HeaderSection header;
  bool in_body = false;
  size_t body_bytes = 0;
  auto sink = [&](std::string_view line, bool broken) -> gm::Status {
    if (line.size() > gm::mail::kMaxBodyLine) __builtin_trap();
    if (in_body) {
      body_bytes += line.size();
      return {};
    }
    auto kind = header.add_line(line, broken);
    if (!kind) return kind.error();
    in_body = *kind != gm::mail::HeaderSection::LineKind::kHeader;
    return {};
  };
  // Two feeds, so a line split across reads is exercised.
  size_t half = input.size() / 2;
  if (!lines.feed(input.substr(0, half), sink) || !lines.feed(input.substr(half), sink) ||
      !lines.finish(sink))
    return;
  gm::mail::LocalSubmission options;
  options.extract_recipients = true;
  options.sender = "fuzz@example.test";
  options.full_name = std::string(input.substr(0, std::min<size_t>(input.size(), 40)));
  options.domain = "example.test";
  auto prepared = gm::mail::prepare_header(header, options, "D", "I@h");
  if (prepared && prepared->text.find("\nBcc:") != std::string::npos) __builtin_trap();
}

void fuzz_postdrop_stream(const std::string& input) {
  size_t pos = 0;
  gm::mail::PostdropReader reader([&](char* buffer, size_t size) -> gm::Result<size_t> {
    size_t n = std::min({size, input.size() - pos, size_t{7}});
    std::copy_n(input.data() + pos, n, buffer);
    pos += n;
    return n;
  });
  if (!reader.read_envelope()) return;
  reader.read_content([](std::string_view) -> gm::Status { return {}; }).ok();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  fuzz_message(input, false);
  fuzz_message(input, true);
  fuzz_postdrop_stream(input);
  return 0;
}
