// The DATA reader: never reads past <CRLF>.<CRLF>, never ends elsewhere,
// never keeps more than its limit, and gives the same answer however the
// input is split.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "mail/smtp_data_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  auto mode =
      (data[0] & 1) ? gm::mail::BareLineEnding::kNormalize : gm::mail::BareLineEnding::kReject;
  size_t cut = size > 1 ? data[1] : 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  cut = std::min(cut, input.size());
  constexpr uint64_t kLimit = 4096;

  gm::mail::SmtpDataReader whole(mode, kLimit);
  std::string content;
  size_t used = whole.feed(input, content);
  if (content.size() > kLimit) std::abort();
  if (whole.done()) {
    std::string_view consumed = input.substr(0, used);
    if (!(consumed == ".\r\n" || consumed.ends_with("\r\n.\r\n"))) std::abort();
  } else if (used != input.size()) {
    std::abort();
  }

  gm::mail::SmtpDataReader parts(mode, kLimit);
  std::string content2;
  size_t used2 = parts.feed(input.substr(0, cut), content2);
  if (!parts.done()) used2 += parts.feed(input.substr(cut), content2);
  if (used2 != used || content2 != content || parts.done() != whole.done() ||
      parts.saw_bare_line_ending() != whole.saw_bare_line_ending())
    std::abort();
  return 0;
}
