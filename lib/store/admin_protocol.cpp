#include "store/admin_protocol.hpp"

#include "core/str.hpp"

namespace gm::store {
namespace {

using enum AdminCommand;

constexpr std::string_view kUserColumns[] = {"address", "status", "quota", "mailbox"};
constexpr std::string_view kFieldColumns[] = {"field", "value"};
constexpr std::string_view kDomainColumns[] = {"domain"};
constexpr std::string_view kAliasColumns[] = {"address", "targets"};
constexpr std::span<const std::string_view> kNone;

// The whole protocol on one screen: name, arguments, whether data follows.
constexpr AdminCommandSpec kCommands[] = {
    {kUserAdd, "USER-ADD", 4, 5, false, "address scram-sha-1 scram-sha-256 quota [mailbox]", kNone},
    {kUserPasswd, "USER-PASSWD", 3, 3, false, "address scram-sha-1 scram-sha-256", kNone},
    {kUserSuspend, "USER-SUSPEND", 1, 1, false, "address", kNone},
    {kUserUnsuspend, "USER-UNSUSPEND", 1, 1, false, "address", kNone},
    {kUserDelete, "USER-DELETE", 1, 1, false, "address", kNone},
    {kUserList, "USER-LIST", 0, 1, true, "[domain]", kUserColumns},
    {kUserShow, "USER-SHOW", 1, 1, true, "address", kFieldColumns},
    {kDomainAdd, "DOMAIN-ADD", 1, 1, false, "domain", kNone},
    {kDomainDelete, "DOMAIN-DELETE", 1, 1, false, "domain", kNone},
    {kDomainList, "DOMAIN-LIST", 0, 0, true, "", kDomainColumns},
    {kAliasAdd, "ALIAS-ADD", 2, kMaxAdminFields - 1, false, "address target...", kNone},
    {kAliasDelete, "ALIAS-DELETE", 1, kMaxAdminFields - 1, false, "address [target...]", kNone},
    {kAliasList, "ALIAS-LIST", 0, 1, true, "[domain|address]", kAliasColumns},
};

bool has_control(std::string_view field) {
  for (char c : field)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  return false;
}

std::string join_fields(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out.push_back('\t');
    out.append(fields[i]);
  }
  return out;
}

std::vector<std::string> split_fields(std::string_view line) {
  std::vector<std::string> fields;
  while (true) {
    size_t tab = line.find('\t');
    fields.emplace_back(line.substr(0, tab));
    if (tab == std::string_view::npos) return fields;
    line.remove_prefix(tab + 1);
  }
}

}  // namespace

std::span<const AdminCommandSpec> admin_commands() {
  return kCommands;
}

const AdminCommandSpec& admin_command_spec(AdminCommand command) {
  for (const AdminCommandSpec& spec : kCommands)
    if (spec.command == command) return spec;
  return kCommands[0];  // unreachable: every enumerator has a row
}

AdminReply admin_error(std::string text) {
  return AdminReply{false, std::move(text), {}};
}

Result<AdminRequest> parse_admin_request(std::string_view line) {
  if (line.size() > kMaxAdminLineLength) return make_error("line too long");
  if (line.size() >= 1 && line.back() == '\r') line.remove_suffix(1);
  std::vector<std::string> fields = split_fields(line);
  if (fields.size() > kMaxAdminFields) return make_error("too many fields");
  for (const std::string& field : fields)
    if (has_control(field)) return make_error("control character in request");
  for (const AdminCommandSpec& spec : kCommands) {
    if (spec.name != fields.front()) continue;
    size_t count = fields.size() - 1;
    if (count < spec.min_args || count > spec.max_args)
      return make_error(str_cat("usage: ", spec.name, " ", spec.arguments));
    fields.erase(fields.begin());
    return AdminRequest{spec.command, std::move(fields)};
  }
  return make_error(str_cat("unknown command ", printable(fields.front(), 40)));
}

std::string encode_admin_request(const AdminRequest& request) {
  std::string out(admin_command_spec(request.command).name);
  for (const std::string& arg : request.args) out.append("\t").append(arg);
  out.push_back('\n');
  return out;
}

std::string encode_admin_reply(const AdminRequest& request, const AdminReply& reply) {
  if (!reply.ok) return str_cat("ERR\t", printable(reply.error, 1000), "\n");
  std::string out = "OK\n";
  if (!admin_command_spec(request.command).has_data) return out;
  for (const std::vector<std::string>& row : reply.rows) {
    std::string line = join_fields(row);
    if (line.starts_with('.')) out.push_back('.');
    out.append(line).append("\n");
  }
  out.append(".\n");
  return out;
}

Status AdminReplyReader::feed(std::string_view line) {
  if (done_) return make_error("data after the end of the reply");
  if (!started_) {
    started_ = true;
    if (line.starts_with("ERR\t")) {
      reply_ = admin_error(std::string(line.substr(4)));
      done_ = true;
      return {};
    }
    if (line != "OK") return make_error(str_cat("bad reply: ", printable(line, 80)));
    done_ = !admin_command_spec(command_).has_data;
    return {};
  }
  if (line == ".") {
    done_ = true;
    return {};
  }
  if (line.starts_with('.')) line.remove_prefix(1);
  reply_.rows.push_back(split_fields(line));
  return {};
}

}  // namespace gm::store
