// ESMTP parameters on MAIL FROM and RCPT TO (RFC 5321 4.1.2 Mail-parameters,
// Rcpt-parameters), with xtext (RFC 3461 4) decoded where the DSN extension
// says so (ENVID, ORCPT), and the meaning of the parameters this suite
// supports: SIZE (RFC 1870), BODY (RFC 6152, RFC 3030), SMTPUTF8 (RFC 6531),
// RET/ENVID/NOTIFY/ORCPT (RFC 3461), AUTH (RFC 4954 5).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace gm::mail {

inline constexpr size_t kMaxParameters = 10;        // per command; RFC 5321 sets none
inline constexpr size_t kMaxParameterLength = 600;  // keyword=value, as sent
inline constexpr size_t kMaxEnvidLength = 100;      // RFC 3461 4.4
inline constexpr size_t kMaxOrcptLength = 500;      // RFC 3461 4.2

struct EsmtpParam {
  std::string keyword;  // upper-cased (keywords are case-insensitive)
  std::string value;    // as sent, except ENVID and ORCPT: xtext-decoded
  bool has_value = false;
};

struct EsmtpParams {
  std::vector<EsmtpParam> list;
  const EsmtpParam* find(std::string_view keyword) const;  // keyword upper-case
};

// Parses "KEY=value KEY2 ..." (what follows the path). Duplicate keywords,
// bad keyword syntax, or values that are not esmtp-value give 501 5.5.4.
// utf8_values allows UTF-8 in values (RFC 6531 3.3 esmtp-value).
Result<EsmtpParams> parse_esmtp_params(std::string_view text, bool utf8_values);

// RFC 3461 4: xtext. decode rejects bad hexchars and, as DSN fields end up in
// headers, decoded bytes outside printable US-ASCII.
Result<std::string> xtext_decode(std::string_view text);
std::string xtext_encode(std::string_view text);

enum class BodyType { kUnspecified, k7Bit, k8BitMime, kBinaryMime };
enum class DsnRet { kUnspecified, kFull, kHeaders };
// NOTIFY=NEVER is kNever alone; otherwise any of the other three.
enum NotifyFlags : uint8_t {
  kNotifyDefault = 0,  // no NOTIFY: failure (and delay at the MTA's discretion)
  kNotifySuccess = 1,
  kNotifyFailure = 2,
  kNotifyDelay = 4,
  kNotifyNever = 8,
};

// What the server offers; parameters for extensions not offered are refused
// with 555 5.5.4 (RFC 5321 4.1.1.11).
struct OfferedExtensions {
  bool size = true;
  bool eight_bit_mime = true;
  bool binary_mime = false;  // with CHUNKING only
  bool smtputf8 = true;
  bool dsn = true;
  bool auth = false;
};

struct MailParameters {
  std::optional<uint64_t> size;
  BodyType body = BodyType::kUnspecified;
  bool smtputf8 = false;
  DsnRet ret = DsnRet::kUnspecified;
  std::string envid;  // decoded
  std::string auth;   // AUTH=<mailbox> or "<>", decoded (RFC 4954 5)
};

struct RcptParameters {
  uint8_t notify = kNotifyDefault;
  std::string orcpt;  // "addr-type;address" with the address decoded
};

Result<MailParameters> interpret_mail_params(const EsmtpParams& params,
                                             const OfferedExtensions& offered);
Result<RcptParameters> interpret_rcpt_params(const EsmtpParams& params,
                                             const OfferedExtensions& offered);
// "SUCCESS,DELAY" / "NEVER" for queue files and DSNs; "" for the default.
std::string notify_to_string(uint8_t notify);
Result<uint8_t> parse_notify(std::string_view text);

}  // namespace gm::mail
