// maa-mail's IMAP engine text parsers on hostile input: RFC 5256 base
// subjects, RFC 5322 header dates and LIST patterns (which must stay linear).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "imap_list_pattern.hpp"
#include "imap_message.hpp"
#include "imap_sort.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)gm::maa::base_subject(input);
  (void)gm::maa::parse_header_date(input);
  size_t split = input.find('\n');
  std::string_view pattern = input.substr(0, std::min(split, gm::maa::kMaxListPattern));
  std::string_view name = split == std::string_view::npos ? input : input.substr(split + 1);
  gm::maa::ListPattern list("", pattern);
  (void)list.matches(name.substr(0, 200));
  return 0;
}
