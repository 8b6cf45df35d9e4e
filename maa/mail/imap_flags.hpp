// Message flags on the wire (RFC 9051 2.3.2): the five system flags stored
// as bits, keywords as atoms. \Recent is neither stored nor settable.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace gm::maa {

// RFC 9051 leaves the count open; a bound keeps one STORE small.
inline constexpr size_t kMaxKeywordsPerCommand = 64;
inline constexpr size_t kMaxKeywordLength = 100;

struct FlagSet {
  uint8_t flags = 0;  // mail::Flag bits
  std::vector<std::string> keywords;
};

// "\Seen \Flagged $Forwarded" (no parentheses).
std::string format_flags(uint8_t flags, std::span<const std::string> keywords);
// The FLAGS response list: system flags and the folder's keywords.
std::string format_flag_list(std::span<const std::string> known_keywords);
// Flag names from a command; refuses \Recent and unknown \-flags, bad atoms.
Result<FlagSet> parse_flags(std::span<const std::string_view> names);

// keywords ∪ add, or keywords \ remove, case-insensitively (RFC 9051 2.3.2).
std::vector<std::string> keywords_added(std::vector<std::string> keywords,
                                        std::span<const std::string> add);
std::vector<std::string> keywords_removed(std::vector<std::string> keywords,
                                          std::span<const std::string> remove);

}  // namespace gm::maa
