#include "mail/mailbox_keywords.hpp"

#include "core/durable_file.hpp"
#include "core/str.hpp"
#include "mail/mailbox_folder.hpp"

namespace gm::mail {

bool is_valid_keyword(std::string_view keyword) {
  if (keyword.empty() || keyword.size() > kMaxKeywordLength) return false;
  for (unsigned char c : keyword) {
    if (c <= 0x20 || c >= 0x7f) return false;
    if (std::string_view("(){%*\"\\]").find(static_cast<char>(c)) != std::string_view::npos)
      return false;
  }
  return true;
}

std::vector<std::string> read_keywords(const std::string& path) {
  std::vector<std::string> names;
  auto text = core::read_file(path, 64 << 10);
  if (!text) return names;
  for (const std::string& line : split(*text, "\n")) {
    size_t space = line.find(' ');
    if (space == std::string::npos) continue;
    auto index = parse_number<size_t>(std::string_view(line).substr(0, space));
    std::string name = line.substr(space + 1);
    if (!index || *index >= kMaxKeywords || !is_valid_keyword(name)) continue;
    if (names.size() <= *index) names.resize(*index + 1);
    names[*index] = name;
  }
  return names;
}

Status write_keywords(const std::string& path, const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i)
    if (!names[i].empty()) out += str_cat(i, ' ', names[i], '\n');
  return core::write_file_durably(path, out, 0600);
}

int keyword_index(const std::vector<std::string>& names, std::string_view keyword) {
  for (size_t i = 0; i < names.size(); ++i)
    if (!names[i].empty() && iequals(names[i], keyword)) return static_cast<int>(i);
  return -1;
}

}  // namespace gm::mail
