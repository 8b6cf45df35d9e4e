#include "mail/mailbox_filename.hpp"

#include "core/str.hpp"
#include "mail/mailbox_folder.hpp"

namespace gm::mail {
namespace {

struct FlagLetter {
  char letter;
  uint8_t flag;
};
// ASCII order, as Maildir requires.
constexpr FlagLetter kFlagLetters[] = {{'D', kDraft},    {'F', kFlagged}, {'P', kMaildirPassed},
                                       {'R', kAnswered}, {'S', kSeen},    {'T', kDeleted}};

std::optional<uint64_t> size_field(std::string_view basename) {
  size_t comma = basename.find(',');
  while (comma != std::string_view::npos) {
    size_t next = basename.find(',', comma + 1);
    std::string_view field = basename.substr(comma + 1, next - comma - 1);
    if (field.starts_with("S=")) return parse_number<uint64_t>(field.substr(2));
    comma = next;
  }
  return std::nullopt;
}

}  // namespace

std::optional<DeliveryTime> maildir_delivery_time(std::string_view filename) {
  size_t dot = filename.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  auto seconds = parse_number<int64_t>(filename.substr(0, dot));
  if (!seconds) return std::nullopt;
  DeliveryTime time{*seconds, 0};
  if (dot + 1 < filename.size() && filename[dot + 1] == 'M') {
    std::string_view rest = filename.substr(dot + 2);
    if (auto usec = parse_number<int64_t>(rest.substr(0, rest.find_first_not_of("0123456789"))))
      time.microseconds = *usec;
  }
  return time;
}

MaildirName parse_maildir_name(std::string_view filename) {
  MaildirName out;
  size_t colon = filename.find(':');
  out.basename = filename.substr(0, colon);
  out.size = size_field(out.basename);
  if (colon == std::string_view::npos) return out;
  std::string_view info = filename.substr(colon + 1);
  if (!info.starts_with("2,")) return out;
  for (char c : info.substr(2)) {
    if (c >= 'a' && c <= 'z') {
      out.keyword_bits |= 1u << (c - 'a');
      continue;
    }
    for (const auto& [letter, flag] : kFlagLetters)
      if (c == letter) out.flags |= flag;
  }
  return out;
}

std::string maildir_name(std::string_view basename, uint8_t flags, uint32_t keyword_bits) {
  std::string out = str_cat(basename, ":2,");
  for (const auto& [letter, flag] : kFlagLetters)
    if (flags & flag) out += letter;
  for (int i = 0; i < 26; ++i)
    if (keyword_bits & (1u << i)) out += static_cast<char>('a' + i);
  return out;
}

bool is_message_filename(std::string_view filename) {
  if (filename.empty() || filename.front() == '.') return false;
  for (char c : filename)
    if (c == '/' || c == '\n' || c == ' ' || c == '\0') return false;
  return true;
}

}  // namespace gm::mail
