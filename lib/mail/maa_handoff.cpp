#include "mail/maa_handoff.hpp"

#include <array>
#include <vector>

#include "core/str.hpp"

namespace gm::mail {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool needs_encoding(unsigned char c) {
  return c == '%' || c <= ' ' || c >= 0x7f;
}

Error bad(std::string_view why) {
  return make_error(str_cat("bad handoff: ", why));
}

// The text fields after proto=, in the order format_handoff writes them.
struct TextField {
  std::string_view name;
  std::string MaaHandoff::*member;
};
constexpr std::array<TextField, 6> kTextFields = {{{"user", &MaaHandoff::user},
                                                   {"maildir", &MaaHandoff::maildir},
                                                   {"client", &MaaHandoff::client},
                                                   {"tls", &MaaHandoff::tls},
                                                   {"session", &MaaHandoff::session},
                                                   {"tag", &MaaHandoff::tag}}};

// "name=value" -> value, or an error naming the field expected.
Result<std::string_view> field_value(std::string_view word, std::string_view name) {
  if (word.size() <= name.size() || word.substr(0, name.size()) != name || word[name.size()] != '=')
    return bad(str_cat("expected field ", name));
  std::string_view value = word.substr(name.size() + 1);
  if (value.size() > kMaxHandoffValue) return bad("value too long");
  return value;
}

}  // namespace

std::string_view protocol_name(AccessProtocol protocol) {
  return protocol == AccessProtocol::kImap ? "imap" : "pop3";
}

std::string percent_encode(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char ch : value) {
    auto c = static_cast<unsigned char>(ch);
    if (!needs_encoding(c)) {
      out += ch;
      continue;
    }
    out += '%';
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
  }
  return out;
}

Result<std::string> percent_decode(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '%') {
      out += value[i];
      continue;
    }
    if (i + 2 >= value.size()) return bad("cut-off %XX");
    int hi = hex_value(value[i + 1]);
    int lo = hex_value(value[i + 2]);
    if (hi < 0 || lo < 0) return bad("invalid %XX");
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::string format_handoff(const MaaHandoff& handoff) {
  std::string line =
      str_cat(kHandoffMagic, " ", kHandoffVersion, " proto=", protocol_name(handoff.protocol));
  for (const TextField& f : kTextFields)
    line += str_cat(" ", f.name, "=", percent_encode(handoff.*f.member));
  return line + "\r\n";
}

Result<MaaHandoff> parse_handoff(std::string_view line) {
  if (line.size() > kMaxHandoffLine) return bad("line too long");
  std::vector<std::string> words = split(line, " ");
  if (words.size() != 3 + kTextFields.size()) return bad("wrong number of fields");
  if (words[0] != kHandoffMagic) return bad("not a handoff line");
  if (words[1] != std::to_string(kHandoffVersion)) return bad("unknown version");
  MaaHandoff h;
  auto proto = field_value(words[2], "proto");
  if (!proto) return proto.error();
  if (*proto == "imap")
    h.protocol = AccessProtocol::kImap;
  else if (*proto == "pop3")
    h.protocol = AccessProtocol::kPop3;
  else
    return bad("unknown protocol");
  for (size_t i = 0; i < kTextFields.size(); ++i) {
    auto raw = field_value(words[3 + i], kTextFields[i].name);
    if (!raw) return raw.error();
    auto value = percent_decode(*raw);
    if (!value) return value.error();
    h.*kTextFields[i].member = std::move(*value);
  }
  if (h.user.empty()) return bad("no user");
  if (h.maildir.empty() || h.maildir.front() != '/') return bad("maildir is not absolute");
  if (h.maildir.find('\0') != std::string::npos) return bad("NUL in maildir");
  return h;
}

}  // namespace gm::mail
