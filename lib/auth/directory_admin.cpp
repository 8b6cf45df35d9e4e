#include "auth/directory_admin.hpp"

#include <algorithm>

#include "auth/scram_secret.hpp"
#include "core/str.hpp"
#include "store/address.hpp"

namespace gm::auth {
namespace {

using store::admin_error;
using store::AdminCommand;
using store::AdminReply;
using store::AdminRequest;
using store::UserDirectory;

constexpr std::string_view kNoSecret = "-";

AdminReply from_status(const Status& status) {
  return status ? AdminReply{} : admin_error(status.error().message);
}

// "-" for none; otherwise it must decode as a secret of that hash.
Result<std::string> checked_secret(std::string_view text, ScramHash hash) {
  if (text == kNoSecret) return std::string();
  Result<ScramSecret> secret = decode_scram_secret(text);
  if (!secret || secret->hash != hash) return make_error("malformed SCRAM secret");
  return std::string(text);
}

struct Secrets {
  std::string sha1;
  std::string sha256;
};

Result<Secrets> checked_secrets(std::string_view sha1, std::string_view sha256) {
  Result<std::string> one = checked_secret(sha1, ScramHash::kSha1);
  if (!one) return one.error();
  Result<std::string> two = checked_secret(sha256, ScramHash::kSha256);
  if (!two) return two.error();
  if (one->empty() && two->empty()) return make_error("a user needs at least one SCRAM secret");
  return Secrets{std::move(*one), std::move(*two)};
}

AdminReply user_add(UserDirectory& dir, const AdminRequest& req, int64_t now) {
  Result<std::string> address = store::canonical_address(req.args[0]);
  if (!address) return admin_error(address.error().message);
  Result<Secrets> secrets = checked_secrets(req.args[1], req.args[2]);
  if (!secrets) return admin_error(secrets.error().message);
  auto quota = parse_number<uint64_t>(req.args[3]);
  if (!quota) return admin_error("quota must be a number of bytes");
  store::UserRecord user;
  user.address = *address;
  user.quota = *quota;
  user.scram_sha1 = std::move(secrets->sha1);
  user.scram_sha256 = std::move(secrets->sha256);
  user.created = now;
  user.mailbox = req.args.size() > 4 ? req.args[4] : store::default_mailbox(*address);
  if (Status s = store::check_mailbox(user.mailbox); !s) return admin_error(s.error().message);
  return from_status(dir.add_user(user));
}

// Loads a user, lets change() edit it, stores it back.
template <typename Change>
AdminReply modify_user(UserDirectory& dir, std::string_view raw_address, Change change) {
  Result<std::string> address = store::canonical_address(raw_address);
  if (!address) return admin_error(address.error().message);
  Result<std::optional<store::UserRecord>> user = dir.get_user(*address);
  if (!user) return admin_error(user.error().message);
  if (!user->has_value()) return admin_error(str_cat("no such user ", *address));
  if (Status s = change(**user); !s) return admin_error(s.error().message);
  return from_status(dir.update_user(**user));
}

AdminReply user_passwd(UserDirectory& dir, const AdminRequest& req, int64_t) {
  Result<Secrets> secrets = checked_secrets(req.args[1], req.args[2]);
  if (!secrets) return admin_error(secrets.error().message);
  return modify_user(dir, req.args[0], [&](store::UserRecord& user) -> Status {
    user.scram_sha1 = secrets->sha1;
    user.scram_sha256 = secrets->sha256;
    return {};
  });
}

AdminReply user_status(UserDirectory& dir, const AdminRequest& req, store::UserStatus status) {
  return modify_user(dir, req.args[0], [&](store::UserRecord& user) -> Status {
    user.status = status;
    return {};
  });
}

AdminReply user_suspend(UserDirectory& dir, const AdminRequest& req, int64_t) {
  return user_status(dir, req, store::UserStatus::kSuspended);
}

AdminReply user_unsuspend(UserDirectory& dir, const AdminRequest& req, int64_t) {
  return user_status(dir, req, store::UserStatus::kActive);
}

AdminReply user_delete(UserDirectory& dir, const AdminRequest& req, int64_t) {
  Result<std::string> address = store::canonical_address(req.args[0]);
  if (!address) return admin_error(address.error().message);
  return from_status(dir.delete_user(*address));
}

// An optional domain argument, canonical; empty when absent.
Result<std::string> domain_filter(const AdminRequest& req) {
  if (req.args.empty()) return std::string();
  return store::canonical_domain(req.args[0]);
}

AdminReply user_list(UserDirectory& dir, const AdminRequest& req, int64_t) {
  Result<std::string> domain = domain_filter(req);
  if (!domain) return admin_error(domain.error().message);
  auto users = dir.list_users(*domain);
  if (!users) return admin_error(users.error().message);
  AdminReply reply;
  for (const store::UserRecord& user : *users)
    reply.rows.push_back({user.address, std::string(store::user_status_name(user.status)),
                          str_cat(user.quota), user.mailbox});
  return reply;
}

// Never the secrets themselves: only which mechanisms the user can use.
AdminReply user_show(UserDirectory& dir, const AdminRequest& req, int64_t) {
  Result<std::string> address = store::canonical_address(req.args[0]);
  if (!address) return admin_error(address.error().message);
  auto user = dir.get_user(*address);
  if (!user) return admin_error(user.error().message);
  if (!user->has_value()) return admin_error(str_cat("no such user ", *address));
  const store::UserRecord& u = **user;
  std::string mechanisms;
  if (!u.scram_sha256.empty()) mechanisms = "SCRAM-SHA-256";
  if (!u.scram_sha1.empty()) mechanisms += mechanisms.empty() ? "SCRAM-SHA-1" : " SCRAM-SHA-1";
  AdminReply reply;
  reply.rows = {
      {"address", u.address},          {"status", std::string(store::user_status_name(u.status))},
      {"quota", str_cat(u.quota)},     {"mailbox", u.mailbox},
      {"created", str_cat(u.created)}, {"secrets", mechanisms}};
  return reply;
}

AdminReply domain_add(UserDirectory& dir, const AdminRequest& req, int64_t now) {
  Result<std::string> name = store::canonical_domain(req.args[0]);
  if (!name) return admin_error(name.error().message);
  return from_status(dir.add_domain(store::DomainRecord{*name, now, {}}));
}

AdminReply domain_delete(UserDirectory& dir, const AdminRequest& req, int64_t) {
  Result<std::string> name = store::canonical_domain(req.args[0]);
  if (!name) return admin_error(name.error().message);
  return from_status(dir.delete_domain(*name));
}

AdminReply domain_list(UserDirectory& dir, const AdminRequest&, int64_t) {
  auto domains = dir.list_domains();
  if (!domains) return admin_error(domains.error().message);
  AdminReply reply;
  for (const store::DomainRecord& domain : *domains) reply.rows.push_back({domain.name});
  return reply;
}

Result<std::vector<std::string>> canonical_targets(const AdminRequest& req) {
  std::vector<std::string> targets;
  for (size_t i = 1; i < req.args.size(); ++i) {
    Result<std::string> target = store::canonical_address(req.args[i]);
    if (!target)
      return make_error(
          str_cat("target ", printable(req.args[i], 80), ": ", target.error().message));
    targets.push_back(std::move(*target));
  }
  return targets;
}

// Adds targets to an alias, creating it if needed; a target already there is kept once.
AdminReply alias_add(UserDirectory& dir, const AdminRequest& req, int64_t) {
  Result<std::string> address = store::canonical_address(req.args[0]);
  if (!address) return admin_error(address.error().message);
  auto targets = canonical_targets(req);
  if (!targets) return admin_error(targets.error().message);
  auto alias = dir.get_alias(*address);
  if (!alias) return admin_error(alias.error().message);
  bool exists = alias->has_value();
  store::AliasRecord record = exists ? **alias : store::AliasRecord{*address, {}, {}};
  for (std::string& target : *targets)
    if (std::find(record.targets.begin(), record.targets.end(), target) == record.targets.end())
      record.targets.push_back(std::move(target));
  if (record.targets.size() > store::kMaxAliasTargets) return admin_error("too many alias targets");
  return from_status(exists ? dir.update_alias(record) : dir.add_alias(record));
}

// Without targets the whole alias goes; otherwise those targets (and the
// alias with its last one).
AdminReply alias_delete(UserDirectory& dir, const AdminRequest& req, int64_t) {
  Result<std::string> address = store::canonical_address(req.args[0]);
  if (!address) return admin_error(address.error().message);
  if (req.args.size() == 1) return from_status(dir.delete_alias(*address));
  auto targets = canonical_targets(req);
  if (!targets) return admin_error(targets.error().message);
  auto alias = dir.get_alias(*address);
  if (!alias) return admin_error(alias.error().message);
  if (!alias->has_value()) return admin_error(str_cat("no such alias ", *address));
  store::AliasRecord record = **alias;
  for (const std::string& target : *targets) {
    auto it = std::find(record.targets.begin(), record.targets.end(), target);
    if (it == record.targets.end())
      return admin_error(str_cat(*address, " has no target ", target));
    record.targets.erase(it);
  }
  return from_status(record.targets.empty() ? dir.delete_alias(*address)
                                            : dir.update_alias(record));
}

void add_alias_row(AdminReply& reply, const store::AliasRecord& alias) {
  std::string targets;
  for (const std::string& target : alias.targets)
    targets += targets.empty() ? target : "," + target;
  reply.rows.push_back({alias.address, targets});
}

// The argument is an address (that alias) or a domain (its aliases).
AdminReply alias_list(UserDirectory& dir, const AdminRequest& req, int64_t) {
  AdminReply reply;
  if (!req.args.empty() && req.args[0].find('@') != std::string::npos) {
    Result<std::string> address = store::canonical_address(req.args[0]);
    if (!address) return admin_error(address.error().message);
    auto alias = dir.get_alias(*address);
    if (!alias) return admin_error(alias.error().message);
    if (!alias->has_value()) return admin_error(str_cat("no such alias ", *address));
    add_alias_row(reply, **alias);
    return reply;
  }
  Result<std::string> domain = domain_filter(req);
  if (!domain) return admin_error(domain.error().message);
  auto aliases = dir.list_aliases(*domain);
  if (!aliases) return admin_error(aliases.error().message);
  for (const store::AliasRecord& alias : *aliases) add_alias_row(reply, alias);
  return reply;
}

using Handler = AdminReply (*)(UserDirectory&, const AdminRequest&, int64_t);

struct HandlerRow {
  AdminCommand command;
  Handler handler;
};

constexpr HandlerRow kHandlers[] = {
    {AdminCommand::kUserAdd, user_add},           {AdminCommand::kUserPasswd, user_passwd},
    {AdminCommand::kUserSuspend, user_suspend},   {AdminCommand::kUserUnsuspend, user_unsuspend},
    {AdminCommand::kUserDelete, user_delete},     {AdminCommand::kUserList, user_list},
    {AdminCommand::kUserShow, user_show},         {AdminCommand::kDomainAdd, domain_add},
    {AdminCommand::kDomainDelete, domain_delete}, {AdminCommand::kDomainList, domain_list},
    {AdminCommand::kAliasAdd, alias_add},         {AdminCommand::kAliasDelete, alias_delete},
    {AdminCommand::kAliasList, alias_list},
};

}  // namespace

AdminReply apply_admin_request(UserDirectory& directory, const AdminRequest& request, int64_t now) {
  const store::AdminCommandSpec& spec = store::admin_command_spec(request.command);
  if (request.args.size() < spec.min_args || request.args.size() > spec.max_args)
    return admin_error(str_cat("usage: ", spec.name, " ", spec.arguments));
  for (const HandlerRow& row : kHandlers)
    if (row.command == request.command) return row.handler(directory, request, now);
  return admin_error("command not implemented");
}

}  // namespace gm::auth
