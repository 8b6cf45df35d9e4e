// Typed configuration values: durations (30s, 5m, 5d), sizes (10M), booleans,
// lists. Each parser accepts the whole string or returns an Error.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace gm::core {

// "250ms", "30s", "5m", "2h", "5d", "1w"; a bare number is seconds.
Result<std::chrono::milliseconds> parse_duration(std::string_view text);
// "512", "64K", "10M", "2G" (binary multiples); a bare number is bytes.
Result<uint64_t> parse_size(std::string_view text);
// yes/no, true/false, on/off, 1/0, any case.
Result<bool> parse_bool(std::string_view text);
Result<int64_t> parse_integer(std::string_view text);
// Comma- and/or whitespace-separated items.
std::vector<std::string> parse_list(std::string_view text);

}  // namespace gm::core
