#include "mail/mutf7.hpp"

#include <cstdint>
#include <vector>

#include "mail/smtp_path.hpp"  // is_valid_utf8

namespace gm::mail {
namespace {

// RFC 3501 5.1.3: base64 with ',' for '/'.
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

bool is_direct(unsigned char c) {
  return c >= 0x20 && c <= 0x7e;
}

int sextet(char c) {
  size_t i = kAlphabet.find(c);
  return i == std::string_view::npos ? -1 : int(i);
}

// Decodes one UTF-8 sequence at s[i]; returns the code point or -1.
int32_t next_utf8(std::string_view s, size_t& i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) {
    ++i;
    return c;
  }
  int len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
  if (len == 0 || c > 0xf4 || i + len > s.size()) return -1;
  int32_t cp = c & (0x7f >> len);
  for (int k = 1; k < len; ++k) {
    if ((b(i + k) & 0xc0) != 0x80) return -1;
    cp = (cp << 6) | (b(i + k) & 0x3f);
  }
  static constexpr int32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return -1;
  i += len;
  return cp;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xc0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += char(0xe0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3f));
    out += char(0x80 | (cp & 0x3f));
  } else {
    out += char(0xf0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3f));
    out += char(0x80 | ((cp >> 6) & 0x3f));
    out += char(0x80 | (cp & 0x3f));
  }
}

void flush_base64(std::string& out, const std::vector<uint16_t>& units) {
  if (units.empty()) return;
  out += '&';
  uint32_t bits = 0;
  int nbits = 0;
  for (uint16_t u : units) {
    bits = (bits << 16) | u;
    nbits += 16;
    while (nbits >= 6) {
      nbits -= 6;
      out += kAlphabet[(bits >> nbits) & 0x3f];
    }
  }
  if (nbits > 0) out += kAlphabet[(bits << (6 - nbits)) & 0x3f];
  out += '-';
}

// The UTF-16 units of one "&...-" section (without '&' and '-').
Result<std::vector<uint16_t>> decode_section(std::string_view b64) {
  std::vector<uint16_t> units;
  uint32_t bits = 0;
  int nbits = 0;
  for (char c : b64) {
    int v = sextet(c);
    if (v < 0) return make_error("Invalid modified UTF-7");
    bits = (bits << 6) | uint32_t(v);
    nbits += 6;
    if (nbits >= 16) {
      nbits -= 16;
      units.push_back(uint16_t(bits >> nbits));
      bits &= (1u << nbits) - 1;
    }
  }
  if (units.empty() || nbits >= 6 || bits != 0) return make_error("Invalid modified UTF-7");
  return units;
}

Status units_to_utf8(const std::vector<uint16_t>& units, std::string& out) {
  for (size_t i = 0; i < units.size(); ++i) {
    uint32_t u = units[i];
    if (u >= 0xd800 && u <= 0xdbff) {
      if (i + 1 >= units.size() || units[i + 1] < 0xdc00 || units[i + 1] > 0xdfff)
        return make_error("Invalid modified UTF-7");
      u = 0x10000 + ((u - 0xd800) << 10) + (units[++i] - 0xdc00);
    } else if (u >= 0xdc00 && u <= 0xdfff) {
      return make_error("Invalid modified UTF-7");
    } else if (u < 0x80) {
      // Printable ASCII stands for itself; control characters name no folder.
      return make_error("Non-canonical modified UTF-7");
    }
    append_utf8(out, u);
  }
  return {};
}

}  // namespace

Result<std::string> utf8_to_mutf7(std::string_view utf8) {
  std::string out;
  std::vector<uint16_t> units;
  for (size_t i = 0; i < utf8.size();) {
    int32_t cp = next_utf8(utf8, i);
    if (cp < 0) return make_error("Invalid UTF-8");
    if (cp < 0x80 && is_direct(static_cast<unsigned char>(cp))) {
      flush_base64(out, units);
      units.clear();
      out += cp == '&' ? std::string_view("&-") : std::string_view(&utf8[i - 1], 1);
    } else if (cp >= 0x10000) {
      units.push_back(uint16_t(0xd800 + ((cp - 0x10000) >> 10)));
      units.push_back(uint16_t(0xdc00 + ((cp - 0x10000) & 0x3ff)));
    } else {
      units.push_back(uint16_t(cp));
    }
  }
  flush_base64(out, units);
  return out;
}

Result<std::string> mutf7_to_utf8(std::string_view in) {
  std::string out;
  bool after_section = false;
  for (size_t i = 0; i < in.size();) {
    auto c = static_cast<unsigned char>(in[i]);
    if (!is_direct(c)) return make_error("Invalid character in mailbox name");
    if (c != '&') {
      out += char(c);
      ++i;
      after_section = false;
      continue;
    }
    size_t dash = in.find('-', i + 1);
    if (dash == std::string_view::npos) return make_error("Unterminated modified UTF-7");
    if (dash == i + 1) {
      out += '&';
      after_section = false;
    } else {
      // Two sections in a row would be one in the canonical form.
      if (after_section) return make_error("Non-canonical modified UTF-7");
      auto units = decode_section(in.substr(i + 1, dash - i - 1));
      if (!units) return units.error();
      if (auto s = units_to_utf8(*units, out); !s) return s.error();
      after_section = true;
    }
    i = dash + 1;
  }
  return out;
}

Result<std::string> mailbox_name_from_wire(std::string_view wire, bool utf8_mode) {
  if (!utf8_mode) return mutf7_to_utf8(wire);
  if (!is_valid_utf8(wire)) return make_error("Mailbox name is not UTF-8");
  for (char c : wire) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return make_error("Invalid character in mailbox name");
  }
  return std::string(wire);
}

std::string mailbox_name_to_wire(std::string_view utf8, bool utf8_mode) {
  if (utf8_mode) return std::string(utf8);
  auto encoded = utf8_to_mutf7(utf8);
  // Names come from the store, which holds valid UTF-8; a name that is not
  // comes out empty, for the caller to leave out, never raw to the client.
  return encoded ? std::move(*encoded) : std::string();
}

}  // namespace gm::mail
