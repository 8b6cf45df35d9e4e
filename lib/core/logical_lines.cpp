#include "core/logical_lines.hpp"

#include "core/str.hpp"

namespace gm::core {

Result<std::vector<LogicalLine>> logical_lines(std::string_view text, std::string_view origin,
                                               size_t max_length) {
  std::vector<LogicalLine> out;
  int number = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    auto where = str_cat(origin, ":", number, ": ");
    if (line.size() > max_length)
      return make_error(str_cat(where, "line longer than ", max_length, " bytes"));
    if (line.find('\0') != std::string_view::npos)
      return make_error(str_cat(where, "NUL byte in line"));
    std::string_view content = trim(line);
    if (content.empty() || content.front() == '#') continue;
    if (line.front() == ' ' || line.front() == '\t') {
      if (out.empty())
        return make_error(str_cat(where, "continuation line with nothing to continue"));
      if (out.back().text.size() + content.size() + 1 > max_length)
        return make_error(str_cat(where, "definition longer than ", max_length, " bytes"));
      out.back().text += ' ';
      out.back().text += content;
      continue;
    }
    out.push_back({std::string(content), number});
  }
  return out;
}

}  // namespace gm::core
