#include "imap_list_pattern.hpp"

#include <vector>

#include "core/str.hpp"

namespace gm::maa {

namespace {

// The pattern positions reachable after reading `name` (an NFA walk: one
// bit per position, so the cost is pattern x name).
std::vector<char> walk(std::string_view pattern, std::string_view name) {
  const size_t m = pattern.size();
  std::vector<char> states(m + 1, 0), next(m + 1, 0);
  auto close = [&](std::vector<char>& set) {
    for (size_t i = 0; i < m; ++i)
      if (set[i] && (pattern[i] == '*' || pattern[i] == '%')) set[i + 1] = 1;
  };
  states[0] = 1;
  close(states);
  for (char c : name) {
    std::fill(next.begin(), next.end(), 0);
    for (size_t i = 0; i < m; ++i) {
      if (!states[i]) continue;
      char p = pattern[i];
      if (p == '*' || (p == '%' && c != '/'))
        next[i] = 1;
      else if (p == c)
        next[i + 1] = 1;
    }
    close(next);
    states.swap(next);
  }
  return states;
}

}  // namespace

ListPattern::ListPattern(std::string_view reference, std::string_view pattern)
    : pattern_(std::string(reference) + std::string(pattern)) {
  // RFC 9051 5.1: INBOX is case-insensitive, so is the pattern's INBOX.
  if (pattern_.size() >= 5 && iequals(std::string_view(pattern_).substr(0, 5), "INBOX") &&
      (pattern_.size() == 5 || pattern_[5] == '/'))
    pattern_.replace(0, 5, "INBOX");
}

bool ListPattern::matches(std::string_view name) const {
  return walk(pattern_, name).back() != 0;
}

}  // namespace gm::maa
