#include "store/directory_records.hpp"

#include "core/str.hpp"
#include "store/address.hpp"

namespace gm::store {
namespace {

using Fields = std::vector<std::pair<std::string_view, std::string_view>>;

bool is_field_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  return true;
}

bool has_control(std::string_view value) {
  for (char c : value)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  return false;
}

// Splits "v=N\nname=value\n..." and checks the version line.
Result<Fields> parse_fields(std::string_view text) {
  if (text.size() > kMaxRecordSize) return make_error("record too large");
  Fields fields;
  while (!text.empty()) {
    size_t end = text.find('\n');
    if (end == std::string_view::npos) return make_error("record line not terminated");
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end + 1);
    size_t eq = line.find('=');
    if (eq == std::string_view::npos || !is_field_name(line.substr(0, eq)))
      return make_error("malformed record line");
    if (fields.size() >= kMaxRecordFields) return make_error("too many record fields");
    fields.emplace_back(line.substr(0, eq), line.substr(eq + 1));
  }
  if (fields.empty() || fields.front().first != "v") return make_error("record has no version");
  auto version = parse_number<int>(fields.front().second);
  if (!version || *version < 1) return make_error("bad record version");
  fields.erase(fields.begin());
  return fields;
}

void put(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append("=").append(value).append("\n");
}

void put_extra(std::string& out, const ExtraFields& extra) {
  for (const auto& [name, value] : extra) put(out, name, value);
}

Result<int64_t> number_field(std::string_view value, std::string_view name) {
  auto n = parse_number<int64_t>(value);
  if (!n || *n < 0) return make_error(str_cat("bad ", name, " in record"));
  return *n;
}

}  // namespace

std::string_view user_status_name(UserStatus status) {
  return status == UserStatus::kActive ? "active" : "suspended";
}

std::string encode_user(const UserRecord& user) {
  std::string out;
  put(out, "v", str_cat(kRecordFormatVersion));
  put(out, "status", user_status_name(user.status));
  put(out, "quota", str_cat(user.quota));
  put(out, "created", str_cat(user.created));
  put(out, "mailbox", user.mailbox);
  if (!user.scram_sha1.empty()) put(out, "scram-sha-1", user.scram_sha1);
  if (!user.scram_sha256.empty()) put(out, "scram-sha-256", user.scram_sha256);
  put_extra(out, user.extra);
  return out;
}

Result<UserRecord> decode_user(std::string_view address, std::string_view text) {
  Result<Fields> fields = parse_fields(text);
  if (!fields) return fields.error();
  UserRecord user;
  user.address = std::string(address);
  bool have_status = false;
  for (const auto& [name, value] : *fields) {
    if (name == "status") {
      if (value != "active" && value != "suspended") return make_error("bad status in record");
      user.status = value == "active" ? UserStatus::kActive : UserStatus::kSuspended;
      have_status = true;
    } else if (name == "quota" || name == "created") {
      Result<int64_t> n = number_field(value, name);
      if (!n) return n.error();
      if (name == "quota")
        user.quota = static_cast<uint64_t>(*n);
      else
        user.created = *n;
    } else if (name == "mailbox") {
      if (Status s = check_mailbox(value); !s) return s.error();
      user.mailbox = std::string(value);
    } else if (name == "scram-sha-1") {
      user.scram_sha1 = std::string(value);
    } else if (name == "scram-sha-256") {
      user.scram_sha256 = std::string(value);
    } else {
      user.extra.emplace_back(name, value);
    }
  }
  if (!have_status || user.mailbox.empty())
    return make_error("user record lacks status or mailbox");
  return user;
}

std::string encode_domain(const DomainRecord& domain) {
  std::string out;
  put(out, "v", str_cat(kRecordFormatVersion));
  put(out, "created", str_cat(domain.created));
  put_extra(out, domain.extra);
  return out;
}

Result<DomainRecord> decode_domain(std::string_view name, std::string_view text) {
  Result<Fields> fields = parse_fields(text);
  if (!fields) return fields.error();
  DomainRecord domain;
  domain.name = std::string(name);
  for (const auto& [field, value] : *fields) {
    if (field == "created") {
      Result<int64_t> n = number_field(value, field);
      if (!n) return n.error();
      domain.created = *n;
    } else {
      domain.extra.emplace_back(field, value);
    }
  }
  return domain;
}

std::string encode_alias(const AliasRecord& alias) {
  std::string out;
  put(out, "v", str_cat(kRecordFormatVersion));
  for (const std::string& target : alias.targets) put(out, "target", target);
  put_extra(out, alias.extra);
  return out;
}

Result<AliasRecord> decode_alias(std::string_view address, std::string_view text) {
  Result<Fields> fields = parse_fields(text);
  if (!fields) return fields.error();
  AliasRecord alias;
  alias.address = std::string(address);
  for (const auto& [field, value] : *fields) {
    if (field == "target") {
      Result<std::string> target = canonical_address(value);
      if (!target) return make_error("bad alias target in record");
      if (alias.targets.size() >= kMaxAliasTargets) return make_error("too many alias targets");
      alias.targets.push_back(std::move(*target));
    } else {
      alias.extra.emplace_back(field, value);
    }
  }
  if (alias.targets.empty()) return make_error("alias record has no target");
  return alias;
}

std::string default_mailbox(std::string_view canonical_address) {
  return str_cat(domain_of(canonical_address), "/", local_part_of(canonical_address));
}

Status check_mailbox(std::string_view mailbox) {
  if (mailbox.empty() || mailbox.size() > kMaxMailboxLength)
    return make_error("bad mailbox length");
  if (mailbox.front() == '/') return make_error("mailbox must be relative to mail_dir");
  if (has_control(mailbox) || mailbox.find('\t') != std::string_view::npos)
    return make_error("control character in mailbox");
  for (const std::string& part : split(mailbox, "/"))
    if (part == "..") return make_error("mailbox may not contain '..'");
  return {};
}

}  // namespace gm::store
