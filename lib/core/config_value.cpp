#include "core/config_value.hpp"

#include <limits>

#include "core/str.hpp"

namespace gm::core {
namespace {

struct Unit {
  std::string_view suffix;
  uint64_t factor;
};

// Splits "10M" into 10 and "M"; rejects signs, spaces and overflow.
Result<uint64_t> scaled(std::string_view text, std::initializer_list<Unit> units,
                        std::string_view what) {
  auto digits_end = text.find_first_not_of("0123456789");
  std::string_view digits = text.substr(0, digits_end);
  std::string_view suffix = digits_end == std::string_view::npos ? "" : text.substr(digits_end);
  auto number = parse_number<uint64_t>(digits);
  if (!number) return make_error(str_cat("not a ", what, ": '", printable(text), "'"));
  for (const Unit& unit : units) {
    if (!iequals(suffix, unit.suffix)) continue;
    if (*number > std::numeric_limits<uint64_t>::max() / unit.factor)
      return make_error(str_cat(what, " too large: '", printable(text), "'"));
    return *number * unit.factor;
  }
  return make_error(str_cat("unknown unit in ", what, ": '", printable(text), "'"));
}

}  // namespace

Result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  auto ms = scaled(trim(text),
                   {{"", 1000},
                    {"ms", 1},
                    {"s", 1000},
                    {"m", 60'000},
                    {"h", 3'600'000},
                    {"d", 86'400'000},
                    {"w", 604'800'000}},
                   "duration");
  if (!ms) return ms.error();
  if (*ms > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    return make_error("duration too large");
  return std::chrono::milliseconds(static_cast<int64_t>(*ms));
}

Result<uint64_t> parse_size(std::string_view text) {
  return scaled(trim(text),
                {{"", 1},
                 {"b", 1},
                 {"k", 1ull << 10},
                 {"m", 1ull << 20},
                 {"g", 1ull << 30},
                 {"t", 1ull << 40}},
                "size");
}

Result<bool> parse_bool(std::string_view text) {
  std::string value = to_lower(trim(text));
  if (value == "yes" || value == "true" || value == "on" || value == "1") return true;
  if (value == "no" || value == "false" || value == "off" || value == "0") return false;
  return make_error(str_cat("not a boolean (yes/no): '", printable(text), "'"));
}

Result<int64_t> parse_integer(std::string_view text) {
  auto number = parse_number<int64_t>(trim(text));
  if (!number) return make_error(str_cat("not an integer: '", printable(text), "'"));
  return *number;
}

std::vector<std::string> parse_list(std::string_view text) { return split(text, ", \t\r\n"); }

}  // namespace gm::core
