// Message flags on the wire (RFC 9051 2.3.2): the five system flags stored
// as bits, keywords as atoms. \Recent is neither stored nor settable.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "mail/imap_parser.hpp"

namespace gm::maa {

// RFC 9051 leaves the count open; a bound keeps one STORE small.
inline constexpr size_t kMaxKeywordsPerCommand = 64;

struct FlagSet {
  uint8_t flags = 0;  // mail::Flag bits
  std::vector<std::string> keywords;
};

// "\Seen \Flagged $Forwarded" (no parentheses).
std::string format_flags(uint8_t flags, std::span<const std::string> keywords);
// The FLAGS response list: system flags and the folder's keywords.
std::string format_flag_list(std::span<const std::string> known_keywords);
// A flag list from a command: "(\Seen $Junk)" as one list argument, or
// the flags as separate atoms (STORE allows both). Refuses \Recent,
// unknown \-flags and keywords that are not atoms.
Result<FlagSet> parse_flags(std::span<const mail::ImapArg> args);

}  // namespace gm::maa
