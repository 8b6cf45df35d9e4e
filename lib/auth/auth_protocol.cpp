#include "auth/auth_protocol.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <span>

#include "auth/base64.hpp"
#include "core/str.hpp"

namespace gm::auth {
namespace {

constexpr char kTab = '\t';
constexpr std::string_view kEmptyData = "=";
constexpr size_t kMaxIpLiteral = 64;
constexpr size_t kMaxCbTypeLength = 64;

// ---- character classes -------------------------------------------------

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool is_lower(char c) {
  return c >= 'a' && c <= 'z';
}

// RFC 4422 section 3.1: 1*20 of A-Z, 0-9, '-', '_'.
bool is_mechanism_name(std::string_view s) {
  if (s.empty() || s.size() > kMaxMechanismName) return false;
  for (char c : s)
    if (!is_upper(c) && !is_digit(c) && c != '-' && c != '_') return false;
  return true;
}

bool is_service_name(std::string_view s) {
  if (s.empty() || s.size() > kMaxServiceName) return false;
  for (char c : s)
    if (!is_lower(c) && !is_digit(c) && c != '-') return false;
  return true;
}

// cb-name of RFC 5802 section 7: 1*(ALPHA / DIGIT / "." / "-").
bool is_cb_type(std::string_view s) {
  if (s.empty() || s.size() > kMaxCbTypeLength) return false;
  for (char c : s)
    if (!is_upper(c) && !is_lower(c) && !is_digit(c) && c != '.' && c != '-') return false;
  return true;
}

bool is_ip_literal(std::string_view s) {
  if (s.empty() || s.size() > kMaxIpLiteral) return false;
  std::string text(s);
  unsigned char buffer[16];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

// Account names: no controls, no space; UTF-8 bytes pass (SMTPUTF8 users).
bool is_account_byte(unsigned char c) {
  return c > 0x20 && c != 0x7f;
}
bool is_reason_byte(unsigned char c) {
  return c >= 0x20 && c < 0x7f;
}

bool is_account(std::string_view s) {
  if (s.empty() || s.size() > kMaxAccountLength) return false;
  for (unsigned char c : s)
    if (!is_account_byte(c)) return false;
  return true;
}

// An address in a lookup; a target may not hold the list's comma.
bool is_target_byte(unsigned char c) {
  return is_account_byte(c) && c != ',';
}
bool is_target(std::string_view s) {
  if (s.empty() || s.size() > kMaxAccountLength) return false;
  for (unsigned char c : s)
    if (!is_target_byte(c)) return false;
  return true;
}

// Mailbox paths: relative, no ".." component, no controls (TAB included).
bool is_mailbox_byte(unsigned char c) {
  return c >= 0x20 && c != 0x7f;
}
bool is_mailbox(std::string_view s) {
  if (s.empty() || s.size() > kMaxMailboxPathLength || s.front() == '/') return false;
  for (unsigned char c : s)
    if (!is_mailbox_byte(c)) return false;
  size_t start = 0;
  while (start <= s.size()) {
    size_t slash = s.find('/', start);
    std::string_view part =
        s.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (part == "..") return false;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return true;
}

bool is_reason(std::string_view s) {
  if (s.empty() || s.size() > kMaxReasonLength) return false;
  for (unsigned char c : s)
    if (!is_reason_byte(c)) return false;
  return true;
}

// ---- formatting ----------------------------------------------------------

// Replaces what a field may not hold, so no value can forge a field or line.
std::string clean(std::string_view s, bool (*allowed)(unsigned char), size_t max_length) {
  std::string out(s.substr(0, max_length));
  for (char& c : out)
    if (!allowed(static_cast<unsigned char>(c))) c = '?';
  return out;
}
std::string clean_token(std::string_view s, size_t max_length = kMaxAuthLineLength) {
  return clean(s, is_account_byte, max_length);
}

std::string data_field(std::string_view bytes) {
  return bytes.empty() ? std::string(kEmptyData) : base64_encode(bytes);
}

std::string_view flag(bool b) {
  return b ? "1" : "0";
}

std::string format_one(const MechsRequest& m) {
  return str_cat("MECHS", kTab, m.id, kTab, "secured=", flag(m.secured), kTab,
                 "cb=", flag(m.channel_binding));
}

std::string format_one(const AuthRequest& m) {
  std::string line = str_cat("AUTH", kTab, m.id, kTab, "mech=", clean_token(m.mechanism), kTab,
                             "service=", clean_token(m.service));
  if (!m.remote_ip.empty()) line += str_cat(kTab, "rip=", clean_token(m.remote_ip));
  line += str_cat(kTab, "secured=", flag(m.secured));
  if (!m.cb_type.empty())
    line +=
        str_cat(kTab, "cb-type=", clean_token(m.cb_type), kTab, "cb-data=", data_field(m.cb_data));
  if (m.initial_response) line += str_cat(kTab, "resp=", data_field(*m.initial_response));
  return line;
}

std::string format_one(const ContinueRequest& m) {
  return str_cat("CONT", kTab, m.id, kTab, data_field(m.response));
}

std::string format_one(const AbortRequest& m) {
  return str_cat("ABORT", kTab, m.id);
}

std::string format_one(const MechsReply& m) {
  std::string line = str_cat("MECHS", kTab, m.id);
  for (size_t i = 0; i < m.mechanisms.size(); ++i)
    line += str_cat(i == 0 ? kTab : ' ', clean_token(m.mechanisms[i], kMaxMechanismName));
  return line;
}

std::string format_one(const ContinueReply& m) {
  return str_cat("CONT", kTab, m.id, kTab, data_field(m.challenge));
}

std::string format_one(const OkReply& m) {
  std::string line = str_cat("OK", kTab, m.id, kTab, "user=", clean_token(m.account));
  if (m.additional_data) line += str_cat(kTab, "data=", data_field(*m.additional_data));
  return line;
}

std::string format_one(const FailReply& m) {
  std::string line = str_cat("FAIL", kTab, m.id);
  if (m.temporary) line += str_cat(kTab, "temp=1");
  std::string reason = clean(m.reason, is_reason_byte, kMaxReasonLength);
  line += str_cat(kTab, "reason=", reason.empty() ? std::string("failed") : reason);
  return line;
}

std::string format_one(const LookupRequest& m) {
  return str_cat("LOOKUP", kTab, m.id, kTab, "address=", clean_token(m.address));
}

std::string format_one(const UserReply& m) {
  return str_cat("USER", kTab, m.id, kTab, "address=", clean_token(m.address), kTab,
                 "status=", m.active ? "active" : "suspended", kTab, "quota=", m.quota, kTab,
                 "mailbox=", clean(m.mailbox, is_mailbox_byte, kMaxAuthLineLength));
}

std::string format_one(const AliasReply& m) {
  std::string line =
      str_cat("ALIAS", kTab, m.id, kTab, "address=", clean_token(m.address), kTab, "targets=");
  for (size_t i = 0; i < m.targets.size(); ++i) {
    if (i > 0) line += ',';
    line += clean(m.targets[i], is_target_byte, kMaxAliasLineLength);
  }
  return line;
}

std::string format_one(const NoneReply& m) {
  return str_cat("NONE", kTab, m.id, kTab, "domain=", m.local_domain ? "local" : "remote");
}

// ---- parsing -------------------------------------------------------------

Result<std::vector<std::string_view>> split_fields(std::string_view line,
                                                   size_t max_length = kMaxAuthLineLength) {
  if (line.size() > max_length) return make_error("auth protocol: line too long");
  for (char c : line)
    if (c == '\r' || c == '\n' || c == '\0') return make_error("auth protocol: bad byte in line");
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (true) {
    if (fields.size() == kMaxAuthFields) return make_error("auth protocol: too many fields");
    size_t tab = line.find(kTab, start);
    std::string_view field = line.substr(start, tab == std::string_view::npos ? tab : tab - start);
    if (field.empty()) return make_error("auth protocol: empty field");
    fields.push_back(field);
    if (tab == std::string_view::npos) break;
    start = tab + 1;
  }
  if (fields.size() < 2) return make_error("auth protocol: missing id");
  return fields;
}

Result<uint32_t> parse_id(std::string_view text) {
  if (text.size() > 1 && text[0] == '0') return make_error("auth protocol: bad id");
  for (char c : text)
    if (!is_digit(c)) return make_error("auth protocol: bad id");
  auto id = parse_number<uint32_t>(text);
  if (!id || *id < 1 || *id > kMaxAuthId) return make_error("auth protocol: bad id");
  return *id;
}

Result<bool> parse_flag(std::string_view text) {
  if (text == "1") return true;
  if (text == "0") return false;
  return make_error("auth protocol: bad flag");
}

Result<std::string> parse_data(std::string_view text) {
  if (text == kEmptyData) return std::string();
  auto bytes = base64_decode(text, kMaxAuthBinary);
  if (!bytes || bytes->empty()) return make_error("auth protocol: bad base64 data");
  return bytes;
}

// key=value fields in any order, each key at most once, all known.
template <size_t N>
Result<std::array<std::optional<std::string_view>, N>> parse_keyed(
    std::span<const std::string_view> fields, const std::array<std::string_view, N>& keys) {
  std::array<std::optional<std::string_view>, N> values;
  for (std::string_view field : fields) {
    size_t eq = field.find('=');
    if (eq == std::string_view::npos || eq + 1 == field.size())
      return make_error("auth protocol: expected key=value");
    std::string_view key = field.substr(0, eq);
    size_t i = 0;
    while (i < N && keys[i] != key) ++i;
    if (i == N) return make_error("auth protocol: unknown key");
    if (values[i]) return make_error("auth protocol: repeated key");
    values[i] = field.substr(eq + 1);
  }
  return values;
}

Result<AuthRequestMessage> parse_mechs_request(uint32_t id,
                                               std::span<const std::string_view> rest) {
  auto v = parse_keyed<2>(rest, {"secured", "cb"});
  if (!v) return v.error();
  auto& [secured, cb] = *v;
  if (!secured || !cb) return make_error("auth protocol: MECHS needs secured= and cb=");
  auto s = parse_flag(*secured);
  auto c = parse_flag(*cb);
  if (!s || !c) return make_error("auth protocol: bad flag");
  return AuthRequestMessage{MechsRequest{id, *s, *c}};
}

Result<AuthRequestMessage> parse_auth_request(uint32_t id, std::span<const std::string_view> rest) {
  auto v =
      parse_keyed<7>(rest, {"mech", "service", "rip", "secured", "cb-type", "cb-data", "resp"});
  if (!v) return v.error();
  auto& [mech, service, rip, secured, cb_type, cb_data, resp] = *v;
  if (!mech || !service || !secured)
    return make_error("auth protocol: AUTH needs mech=, service= and secured=");
  AuthRequest request;
  request.id = id;
  if (!is_mechanism_name(*mech)) return make_error("auth protocol: bad mechanism name");
  request.mechanism = std::string(*mech);
  if (!is_service_name(*service)) return make_error("auth protocol: bad service name");
  request.service = std::string(*service);
  if (rip) {
    if (!is_ip_literal(*rip)) return make_error("auth protocol: bad remote address");
    request.remote_ip = std::string(*rip);
  }
  auto s = parse_flag(*secured);
  if (!s) return s.error();
  request.secured = *s;
  if (cb_type.has_value() != cb_data.has_value())
    return make_error("auth protocol: cb-type and cb-data go together");
  if (cb_type) {
    if (!request.secured) return make_error("auth protocol: channel binding without TLS");
    if (!is_cb_type(*cb_type)) return make_error("auth protocol: bad cb-type");
    auto data = parse_data(*cb_data);
    if (!data || data->empty()) return make_error("auth protocol: bad cb-data");
    request.cb_type = std::string(*cb_type);
    request.cb_data = std::move(*data);
  }
  if (resp) {
    auto data = parse_data(*resp);
    if (!data) return data.error();
    request.initial_response = std::move(*data);
  }
  return AuthRequestMessage{std::move(request)};
}

Result<AuthReplyMessage> parse_mechs_reply(uint32_t id, std::span<const std::string_view> rest) {
  MechsReply reply{id, {}};
  if (rest.empty()) return AuthReplyMessage{std::move(reply)};
  if (rest.size() != 1) return make_error("auth protocol: MECHS takes one list");
  std::string_view list = rest[0];
  size_t start = 0;
  while (true) {
    if (reply.mechanisms.size() == kMaxMechanismCount)
      return make_error("auth protocol: too many mechanisms");
    size_t space = list.find(' ', start);
    std::string_view name =
        list.substr(start, space == std::string_view::npos ? space : space - start);
    if (!is_mechanism_name(name)) return make_error("auth protocol: bad mechanism name");
    reply.mechanisms.emplace_back(name);
    if (space == std::string_view::npos) break;
    start = space + 1;
  }
  return AuthReplyMessage{std::move(reply)};
}

Result<AuthReplyMessage> parse_ok_reply(uint32_t id, std::span<const std::string_view> rest) {
  auto v = parse_keyed<2>(rest, {"user", "data"});
  if (!v) return v.error();
  auto& [user, data] = *v;
  if (!user || !is_account(*user)) return make_error("auth protocol: OK needs a valid user=");
  OkReply reply{id, std::string(*user), std::nullopt};
  if (data) {
    auto bytes = parse_data(*data);
    if (!bytes) return bytes.error();
    reply.additional_data = std::move(*bytes);
  }
  return AuthReplyMessage{std::move(reply)};
}

Result<AuthReplyMessage> parse_fail_reply(uint32_t id, std::span<const std::string_view> rest) {
  auto v = parse_keyed<2>(rest, {"temp", "reason"});
  if (!v) return v.error();
  auto& [temp, reason] = *v;
  if (temp && *temp != "1") return make_error("auth protocol: temp must be 1");
  if (!reason || !is_reason(*reason))
    return make_error("auth protocol: FAIL needs a valid reason=");
  return AuthReplyMessage{FailReply{id, temp.has_value(), std::string(*reason)}};
}

Result<AuthRequestMessage> parse_lookup_request(uint32_t id,
                                                std::span<const std::string_view> rest) {
  auto v = parse_keyed<1>(rest, {"address"});
  if (!v) return v.error();
  auto& [address] = *v;
  if (!address || !is_account(*address))
    return make_error("auth protocol: LOOKUP needs a valid address=");
  return AuthRequestMessage{LookupRequest{id, std::string(*address)}};
}

Result<AuthReplyMessage> parse_user_reply(uint32_t id, std::span<const std::string_view> rest) {
  auto v = parse_keyed<4>(rest, {"address", "status", "quota", "mailbox"});
  if (!v) return v.error();
  auto& [address, status, quota, mailbox] = *v;
  if (!address || !status || !quota || !mailbox)
    return make_error("auth protocol: USER needs address=, status=, quota= and mailbox=");
  UserReply reply;
  reply.id = id;
  if (!is_account(*address)) return make_error("auth protocol: bad address");
  reply.address = std::string(*address);
  if (*status != "active" && *status != "suspended") return make_error("auth protocol: bad status");
  reply.active = *status == "active";
  // Canonical numbers only: digits, no leading zero, fits 64 bits.
  bool digits = std::all_of(quota->begin(), quota->end(), is_digit);
  auto bytes = parse_number<uint64_t>(*quota);
  if (!digits || (quota->size() > 1 && (*quota)[0] == '0') || !bytes)
    return make_error("auth protocol: bad quota");
  reply.quota = *bytes;
  if (!is_mailbox(*mailbox)) return make_error("auth protocol: bad mailbox");
  reply.mailbox = std::string(*mailbox);
  return AuthReplyMessage{std::move(reply)};
}

Result<AuthReplyMessage> parse_alias_reply(uint32_t id, std::span<const std::string_view> rest) {
  auto v = parse_keyed<2>(rest, {"address", "targets"});
  if (!v) return v.error();
  auto& [address, targets] = *v;
  if (!address || !targets) return make_error("auth protocol: ALIAS needs address= and targets=");
  if (!is_account(*address)) return make_error("auth protocol: bad address");
  AliasReply reply{id, std::string(*address), {}};
  size_t start = 0;
  while (true) {
    if (reply.targets.size() == kMaxLookupTargets)
      return make_error("auth protocol: too many targets");
    size_t comma = targets->find(',', start);
    std::string_view target =
        targets->substr(start, comma == std::string_view::npos ? comma : comma - start);
    if (!is_target(target)) return make_error("auth protocol: bad target");
    reply.targets.emplace_back(target);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return AuthReplyMessage{std::move(reply)};
}

Result<AuthReplyMessage> parse_none_reply(uint32_t id, std::span<const std::string_view> rest) {
  auto v = parse_keyed<1>(rest, {"domain"});
  if (!v) return v.error();
  auto& [domain] = *v;
  if (!domain || (*domain != "local" && *domain != "remote"))
    return make_error("auth protocol: NONE needs domain=local|remote");
  return AuthReplyMessage{NoneReply{id, *domain == "local"}};
}

}  // namespace

std::string format_request(const AuthRequestMessage& message) {
  return std::visit([](const auto& m) { return format_one(m); }, message);
}

std::string format_reply(const AuthReplyMessage& message) {
  return std::visit([](const auto& m) { return format_one(m); }, message);
}

Result<AuthRequestMessage> parse_request(std::string_view line) {
  auto fields = split_fields(line);
  if (!fields) return fields.error();
  std::string_view command = (*fields)[0];
  auto id = parse_id((*fields)[1]);
  if (!id) return id.error();
  std::span<const std::string_view> rest(fields->begin() + 2, fields->end());
  if (command == "MECHS") return parse_mechs_request(*id, rest);
  if (command == "AUTH") return parse_auth_request(*id, rest);
  if (command == "CONT") {
    if (rest.size() != 1) return make_error("auth protocol: CONT takes one data field");
    auto data = parse_data(rest[0]);
    if (!data) return data.error();
    return AuthRequestMessage{ContinueRequest{*id, std::move(*data)}};
  }
  if (command == "ABORT") {
    if (!rest.empty()) return make_error("auth protocol: ABORT takes no fields");
    return AuthRequestMessage{AbortRequest{*id}};
  }
  if (command == "LOOKUP") return parse_lookup_request(*id, rest);
  return make_error("auth protocol: unknown request");
}

Result<AuthReplyMessage> parse_reply(std::string_view line) {
  bool alias = line.starts_with("ALIAS\t");
  auto fields = split_fields(line, alias ? kMaxAliasLineLength : kMaxAuthLineLength);
  if (!fields) return fields.error();
  std::string_view command = (*fields)[0];
  auto id = parse_id((*fields)[1]);
  if (!id) return id.error();
  std::span<const std::string_view> rest(fields->begin() + 2, fields->end());
  if (command == "MECHS") return parse_mechs_reply(*id, rest);
  if (command == "CONT") {
    if (rest.size() != 1) return make_error("auth protocol: CONT takes one data field");
    auto data = parse_data(rest[0]);
    if (!data) return data.error();
    return AuthReplyMessage{ContinueReply{*id, std::move(*data)}};
  }
  if (command == "OK") return parse_ok_reply(*id, rest);
  if (command == "FAIL") return parse_fail_reply(*id, rest);
  if (command == "USER") return parse_user_reply(*id, rest);
  if (command == "ALIAS") return parse_alias_reply(*id, rest);
  if (command == "NONE") return parse_none_reply(*id, rest);
  return make_error("auth protocol: unknown reply");
}

}  // namespace gm::auth
