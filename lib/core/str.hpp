// Small string helpers: concatenation of mixed values without iostreams in
// hot paths, and safe numeric parsing (never std::stoi on input).
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace gm {

namespace detail {
inline void append(std::string& out, std::string_view s) { out.append(s); }
inline void append(std::string& out, const char* s) { out.append(s); }
inline void append(std::string& out, const std::string& s) { out.append(s); }
inline void append(std::string& out, char c) { out.push_back(c); }
template <typename N>
  requires std::is_arithmetic_v<N> && (!std::is_same_v<N, char>) && (!std::is_same_v<N, bool>)
void append(std::string& out, N n) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, ec == std::errc() ? end : buf);
}
inline void append(std::string& out, bool b) { out.append(b ? "yes" : "no"); }
}  // namespace detail

template <typename... Args>
std::string str_cat(const Args&... args) {
  std::string out;
  (detail::append(out, args), ...);
  return out;
}

// Whole-string unsigned/signed parse; nullopt on any junk or overflow.
template <typename N>
std::optional<N> parse_number(std::string_view s) {
  N value{};
  if (s.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

std::string_view trim(std::string_view s);
std::string to_lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);
// Splits on any of the separator characters, dropping empty pieces.
std::vector<std::string> split(std::string_view s, std::string_view separators);
// Makes a string safe for one log line: control bytes and non-ASCII escaped.
std::string printable(std::string_view s, size_t max_length = 200);

}  // namespace gm
