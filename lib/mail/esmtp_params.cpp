#include "mail/esmtp_params.hpp"

#include "core/str.hpp"
#include "mail/smtp_path.hpp"

namespace gm::mail {
namespace {

Error bad_param(std::string_view why) {
  return make_error(str_cat("5.5.4 ", why), 501);
}
Error not_offered(std::string_view keyword) {
  return make_error(str_cat("5.5.4 Unsupported parameter: ", keyword), 555);
}

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// RFC 5321 4.1.2: esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
bool is_keyword(std::string_view s) {
  if (s.empty() || !is_alnum(s.front())) return false;
  for (char c : s)
    if (!is_alnum(c) && c != '-') return false;
  return true;
}

// esmtp-value = 1*(%d33-60 / %d62-126), plus UTF8-non-ascii (RFC 6531 3.3)
bool is_value(std::string_view s, bool utf8) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (c >= 0x80 && utf8) continue;
    if (c < 33 || c > 126 || c == '=') return false;
  }
  return !utf8 || is_valid_utf8(s);
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;  // RFC 3461 4: upper-case hex only
}

Result<BodyType> parse_body(std::string_view value, const OfferedExtensions& offered) {
  if (iequals(value, "7BIT")) return BodyType::k7Bit;
  if (iequals(value, "8BITMIME") && offered.eight_bit_mime) return BodyType::k8BitMime;
  if (iequals(value, "BINARYMIME") && offered.binary_mime) return BodyType::kBinaryMime;
  return make_error("5.5.4 Unsupported BODY type", 501);
}

Result<DsnRet> parse_ret(std::string_view value) {
  if (iequals(value, "FULL")) return DsnRet::kFull;
  if (iequals(value, "HDRS")) return DsnRet::kHeaders;
  return bad_param("RET must be FULL or HDRS");
}

Status apply_mail_param(const EsmtpParam& p, const OfferedExtensions& offered,
                        MailParameters& out) {
  const std::string& k = p.keyword;
  if (k == "SIZE" && offered.size) {
    auto size = parse_number<uint64_t>(p.value);
    if (!size) return bad_param("SIZE needs a number");
    out.size = *size;
  } else if (k == "BODY" && (offered.eight_bit_mime || offered.binary_mime)) {
    auto body = parse_body(p.value, offered);
    if (!body) return body.error();
    out.body = *body;
  } else if (k == "SMTPUTF8" && offered.smtputf8) {
    if (p.has_value) return bad_param("SMTPUTF8 takes no value");
    out.smtputf8 = true;
  } else if (k == "RET" && offered.dsn) {
    auto ret = parse_ret(p.value);
    if (!ret) return ret.error();
    out.ret = *ret;
  } else if (k == "ENVID" && offered.dsn) {
    if (!p.has_value || p.value.size() > kMaxEnvidLength) return bad_param("Bad ENVID");
    out.envid = p.value;
  } else if (k == "AUTH" && offered.auth) {
    auto decoded = xtext_decode(p.value);
    if (!p.has_value || !decoded) return bad_param("Bad AUTH parameter");
    out.auth = std::move(*decoded);
  } else {
    return not_offered(k);
  }
  return {};
}

}  // namespace

const EsmtpParam* EsmtpParams::find(std::string_view keyword) const {
  for (const auto& p : list)
    if (p.keyword == keyword) return &p;
  return nullptr;
}

Result<std::string> xtext_decode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '+') {
      int hi = i + 2 < text.size() ? hex_digit(text[i + 1]) : -1;
      int lo = hi >= 0 ? hex_digit(text[i + 2]) : -1;
      if (lo < 0) return bad_param("Bad xtext hexchar");
      c = static_cast<unsigned char>(hi * 16 + lo);
      i += 2;
    } else if (c < 33 || c > 126 || c == '=') {
      return bad_param("Bad xtext character");
    }
    if (c < 0x20 || c > 0x7e) return bad_param("xtext decodes to a control character");
    out.push_back(static_cast<char>(c));
  }
  return out;
}

std::string xtext_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (c >= 33 && c <= 126 && c != '+' && c != '=') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '+';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Result<EsmtpParams> parse_esmtp_params(std::string_view text, bool utf8_values) {
  EsmtpParams params;
  for (const std::string& word : split(text, " ")) {
    if (params.list.size() == kMaxParameters) return bad_param("Too many parameters");
    if (word.size() > kMaxParameterLength) return bad_param("Parameter too long");
    EsmtpParam p;
    auto eq = word.find('=');
    p.keyword = word.substr(0, eq);
    for (char& c : p.keyword) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
    if (!is_keyword(p.keyword)) return bad_param("Bad parameter keyword");
    if (params.find(p.keyword)) return bad_param(str_cat("Duplicate parameter ", p.keyword));
    if (eq != std::string::npos) {
      p.has_value = true;
      p.value = word.substr(eq + 1);
      if (!is_value(p.value, utf8_values)) return bad_param("Bad parameter value");
    }
    if (p.keyword == "ENVID") {
      auto decoded = xtext_decode(p.value);
      if (!decoded) return decoded.error();
      p.value = std::move(*decoded);
    } else if (p.keyword == "ORCPT") {
      // RFC 3461 4.2: addr-type ";" xtext
      auto semi = p.value.find(';');
      if (semi == std::string::npos || semi == 0) return bad_param("ORCPT needs addr-type;address");
      auto decoded = xtext_decode(std::string_view(p.value).substr(semi + 1));
      if (!decoded || decoded->empty()) return bad_param("Bad ORCPT address");
      p.value = p.value.substr(0, semi + 1) + *decoded;
    }
    params.list.push_back(std::move(p));
  }
  return params;
}

Result<MailParameters> interpret_mail_params(const EsmtpParams& params,
                                             const OfferedExtensions& offered) {
  MailParameters out;
  for (const auto& p : params.list)
    if (auto status = apply_mail_param(p, offered, out); !status) return status.error();
  return out;
}

Result<uint8_t> parse_notify(std::string_view text) {
  uint8_t notify = 0;
  for (const std::string& word : split(text, ",")) {
    if (iequals(word, "NEVER"))
      notify |= kNotifyNever;
    else if (iequals(word, "SUCCESS"))
      notify |= kNotifySuccess;
    else if (iequals(word, "FAILURE"))
      notify |= kNotifyFailure;
    else if (iequals(word, "DELAY"))
      notify |= kNotifyDelay;
    else
      return bad_param("NOTIFY must be NEVER or SUCCESS, FAILURE, DELAY");
  }
  // RFC 3461 4.1: NEVER must appear alone
  if (notify == 0 || ((notify & kNotifyNever) && notify != kNotifyNever))
    return bad_param("NOTIFY=NEVER must stand alone");
  return notify;
}

std::string notify_to_string(uint8_t notify) {
  if (notify & kNotifyNever) return "NEVER";
  std::string out;
  auto add = [&](uint8_t bit, std::string_view name) {
    if (!(notify & bit)) return;
    if (!out.empty()) out += ',';
    out += name;
  };
  add(kNotifySuccess, "SUCCESS");
  add(kNotifyFailure, "FAILURE");
  add(kNotifyDelay, "DELAY");
  return out;
}

Result<RcptParameters> interpret_rcpt_params(const EsmtpParams& params,
                                             const OfferedExtensions& offered) {
  RcptParameters out;
  for (const auto& p : params.list) {
    if (p.keyword == "NOTIFY" && offered.dsn) {
      auto notify = parse_notify(p.value);
      if (!notify) return notify.error();
      out.notify = *notify;
    } else if (p.keyword == "ORCPT" && offered.dsn) {
      if (p.value.size() > kMaxOrcptLength) return bad_param("ORCPT too long");
      out.orcpt = p.value;
    } else {
      return not_offered(p.keyword);
    }
  }
  return out;
}

}  // namespace gm::mail
