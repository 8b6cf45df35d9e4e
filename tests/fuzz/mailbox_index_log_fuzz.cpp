// Fuzzes the gm-index.log reader (a cache file another process or a crash
// may have left in any state): the header, then the records applied to a
// small index. Whatever applies must leave an index that gm-index's own
// parser accepts (ascending UIDs below UIDNEXT, MODSEQs not above
// HIGHESTMODSEQ, expunges in MODSEQ order) and that formats back the same.
// The input is tried twice: as it is, and with a valid CRC put in front of
// each of its lines, so that the records' meaning is explored too.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "mail/crc32c.hpp"

#include "mail/mailbox_index.hpp"
#include "mail/mailbox_index_log.hpp"

namespace {

constexpr std::string_view kBase =
    "GMINDEX 2 7 1700000000 6 1700000000000010 0 1 2 120 3 1\n"
    "1 1700000000000005 1700000000 120 1700000000.M1P2Q1.host,S=120:2,S\n"
    "3 1700000000000006 1700000000 120 1700000000.M3P2Q1.host,S=120:2,\n"
    "5 1700000000000010 1700000001 99 1700000001.M2P2Q2.host,S=99:2,FRSab\n"
    "X 2 1700000000000009\n"
    "END\n";

}  // namespace

namespace {

void check(std::string_view log) {
  auto index = gm::mail::parse_mailbox_index(kBase);
  if (!index) __builtin_trap();
  auto consumed = gm::mail::apply_index_log(log, *index);
  if (!consumed) return;
  if (*consumed > log.size()) __builtin_trap();
  std::string text = gm::mail::format_mailbox_index(*index);
  auto again = gm::mail::parse_mailbox_index(text);
  if (!again || gm::mail::format_mailbox_index(*again) != text) __builtin_trap();
}

std::string sealed(std::string_view bodies) {
  std::string out;
  while (!bodies.empty()) {
    size_t end = bodies.find('\n');
    std::string_view body = bodies.substr(0, end);
    char crc[10];
    std::snprintf(crc, sizeof crc, "%08x ", gm::mail::crc32c(body));
    out.append(crc, 9);
    out.append(body);
    out.push_back('\n');
    bodies.remove_prefix(end == std::string_view::npos ? bodies.size() : end + 1);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto header = gm::mail::parse_index_log_header(input)) {
    if (header->length > input.size()) __builtin_trap();
    check(input.substr(header->length));
  } else {
    check(input);
  }
  check(sealed(input));
  return 0;
}
