// LIST patterns (RFC 9051 6.3.9): '*' matches any run of characters, '%'
// any run without the hierarchy separator; "INBOX" matches in any case.
// Matching is a table walk, O(pattern x name), never exponential.
#pragma once

#include <string>
#include <string_view>

namespace gm::maa {

// Longer patterns are refused with BAD; names are at most kMaxMailboxName.
inline constexpr size_t kMaxListPattern = 1024;

class ListPattern {
 public:
  // reference + pattern, UTF-8 (RFC 9051 6.3.9: the reference is a prefix).
  ListPattern(std::string_view reference, std::string_view pattern);
  bool matches(std::string_view name) const;

 private:
  std::string pattern_;
};

}  // namespace gm::maa
