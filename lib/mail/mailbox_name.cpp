#include "mail/mailbox_name.hpp"

#include "core/str.hpp"

namespace gm::mail {
namespace {

// Length of the UTF-8 sequence at s[i], or 0 when it is invalid, overlong
// (C0 AF would be an encoded '/'), a surrogate or above U+10FFFF.
size_t utf8_sequence_length(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0;
  if (length == 0 || lead > 0xF4 || i + length > s.size()) return 0;
  for (size_t k = 1; k < length; ++k)
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  unsigned char second = byte(i + 1);
  if (lead == 0xE0 && second < 0xA0) return 0;   // overlong
  if (lead == 0xED && second >= 0xA0) return 0;  // surrogate
  if (lead == 0xF0 && second < 0x90) return 0;   // overlong
  if (lead == 0xF4 && second >= 0x90) return 0;  // above U+10FFFF
  return length;
}

bool is_refused_ascii(unsigned char c) {
  return c < 0x20 || c == 0x7f || c == '.' || c == '\\' || c == '*' || c == '%' || c == '/';
}

Status check_component(std::string_view component) {
  if (component.empty()) return make_error("empty mailbox name component");
  for (size_t i = 0; i < component.size();) {
    size_t length = utf8_sequence_length(component, i);
    if (length == 0) return make_error("mailbox name is not valid UTF-8");
    if (length == 1 && is_refused_ascii(static_cast<unsigned char>(component[i])))
      return make_error(
          str_cat("character not allowed in a mailbox name: ", printable(component.substr(i, 1))));
    i += length;
  }
  return {};
}

// Splits on '/' and checks every component; returns the components.
Result<std::vector<std::string_view>> split_name(std::string_view name) {
  if (name.empty()) return make_error("empty mailbox name");
  if (name.size() > kMaxMailboxName) return make_error("mailbox name too long");
  std::vector<std::string_view> components;
  size_t start = 0;
  while (true) {
    size_t slash = name.find(kImapHierarchySeparator, start);
    std::string_view component = name.substr(start, slash - start);
    if (auto status = check_component(component); !status) return status.error();
    components.push_back(component);
    if (components.size() > kMaxMailboxDepth) return make_error("mailbox name too deep");
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return components;
}

}  // namespace

Result<std::string> normalize_mailbox_name(std::string_view imap_name_utf8) {
  auto components = split_name(imap_name_utf8);
  if (!components) return components.error();
  std::string out;
  for (std::string_view component : *components) {
    if (!out.empty()) out += kImapHierarchySeparator;
    if (out.empty() && iequals(component, "INBOX"))
      out += "INBOX";
    else
      out += component;
  }
  return out;
}

Result<std::string> mailbox_dir_name(std::string_view imap_name_utf8) {
  auto name = normalize_mailbox_name(imap_name_utf8);
  if (!name) return name;
  if (*name == "INBOX") return std::string();
  std::string dir = str_cat(".", *name);
  for (char& c : dir)
    if (c == kImapHierarchySeparator) c = '.';
  return dir;
}

Result<std::string> mailbox_name_from_dir(std::string_view dir_entry) {
  if (dir_entry.size() < 2 || dir_entry.front() != '.')
    return make_error("not a Maildir++ folder entry");
  std::string name(dir_entry.substr(1));
  for (char& c : name)
    if (c == '.') c = kImapHierarchySeparator;
  auto checked = normalize_mailbox_name(name);
  if (!checked) return checked;
  if (*checked == "INBOX") return make_error("a folder named INBOX shadows the root");
  return checked;
}

}  // namespace gm::mail
