// The line structure shared by gm.conf and services.conf (Postfix's main.cf
// and master.cf convention): '#' comment lines and blank lines are skipped,
// and a line that starts with white space continues the previous one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace gm::core {

struct LogicalLine {
  std::string text;  // trimmed, continuations joined with one space
  int line = 0;      // number of the first physical line
};

// Errors name "origin:line:". max_length limits each physical line and each
// joined definition.
Result<std::vector<LogicalLine>> logical_lines(std::string_view text, std::string_view origin,
                                               size_t max_length);

}  // namespace gm::core
