#include "imap_flags.hpp"

#include <algorithm>
#include <array>

#include "core/str.hpp"
#include "mail/mailbox_folder.hpp"

namespace gm::maa {

namespace {

struct SystemFlag {
  std::string_view name;
  uint8_t bit;  // mail::Flag
};
constexpr std::array<SystemFlag, 5> kSystemFlags = {
    {{"\\Seen", 1}, {"\\Answered", 2}, {"\\Flagged", 4}, {"\\Deleted", 8}, {"\\Draft", 16}}};

// RFC 9051 9: atom-char minus the atom-specials and ']' (resp-specials).
bool is_keyword(std::string_view k) {
  if (k.empty() || k.size() > mail::kMaxKeywordLength) return false;
  for (unsigned char c : k) {
    if (c <= 0x20 || c >= 0x7f) return false;
    if (std::string_view("(){%*\"\\]").find(static_cast<char>(c)) != std::string_view::npos)
      return false;
  }
  return true;
}

bool contains(std::span<const std::string> list, std::string_view k) {
  return std::any_of(list.begin(), list.end(), [&](const std::string& s) { return iequals(s, k); });
}

}  // namespace

std::string format_flags(uint8_t flags, std::span<const std::string> keywords) {
  std::string out;
  for (const auto& f : kSystemFlags) {
    if (!(flags & f.bit)) continue;
    if (!out.empty()) out += ' ';
    out += f.name;
  }
  for (const auto& k : keywords) {
    if (!out.empty()) out += ' ';
    out += k;
  }
  return out;
}

std::string format_flag_list(std::span<const std::string> known_keywords) {
  return format_flags(0x1f, known_keywords);
}

Result<FlagSet> parse_flags(std::span<const mail::ImapArg> args) {
  if (args.size() == 1 && args[0].is_list()) args = args[0].list;
  FlagSet set;
  if (args.size() > kMaxKeywordsPerCommand) return make_error("Too many flags");
  for (const auto& arg : args) {
    if (!arg.is_atom()) return make_error("Flags must be atoms");
    std::string_view name = arg.text;
    if (!name.empty() && name[0] == '\\') {
      auto it = std::find_if(kSystemFlags.begin(), kSystemFlags.end(),
                             [&](const SystemFlag& f) { return iequals(f.name, name); });
      if (it == kSystemFlags.end()) return make_error("Unknown or unsettable system flag");
      set.flags |= it->bit;
    } else if (!is_keyword(name)) {
      return make_error("Invalid keyword");
    } else if (!contains(set.keywords, name)) {
      set.keywords.emplace_back(name);
    }
  }
  return set;
}

}  // namespace gm::maa
