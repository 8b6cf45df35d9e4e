#include "directory_lookup.hpp"

#include "core/log.hpp"
#include "core/str.hpp"
#include "store/address.hpp"

namespace gm::authd {
namespace {

auth::AuthReplyMessage unavailable(uint32_t id, const Error& error) {
  log::error(str_cat("user directory: ", error.message));
  return auth::FailReply{id, true, "directory unavailable"};
}

auth::AuthReplyMessage user_reply(uint32_t id, const store::UserRecord& user) {
  return auth::UserReply{id, user.address, user.status == store::UserStatus::kActive, user.quota,
                         user.mailbox};
}

// The user or alias stored under exactly this canonical address; nullopt:
// neither exists.
Result<std::optional<auth::AuthReplyMessage>> find(store::UserDirectory& directory, uint32_t id,
                                                   const std::string& address) {
  auto user = directory.get_user(address);
  if (!user) return user.error();
  if (user->has_value()) return std::optional(user_reply(id, **user));
  auto alias = directory.get_alias(address);
  if (!alias) return alias.error();
  if (alias->has_value() && !(*alias)->targets.empty())
    return std::optional<auth::AuthReplyMessage>(
        auth::AliasReply{id, (*alias)->address, (*alias)->targets});
  return std::optional<auth::AuthReplyMessage>();
}

}  // namespace

auth::AuthReplyMessage answer_lookup(store::UserDirectory& directory,
                                     const auth::LookupRequest& request) {
  uint32_t id = request.id;
  size_t at = request.address.rfind('@');
  if (at == std::string::npos) return auth::NoneReply{id, false};
  Result<std::string> domain = store::canonical_domain(request.address.substr(at + 1));
  if (!domain) return auth::NoneReply{id, false};
  // Blocks briefly at worst: Berkeley DB serves a small directory from its cache.
  auto known = directory.get_domain(*domain);
  if (!known) return unavailable(id, known.error());
  if (!known->has_value()) return auth::NoneReply{id, false};

  Result<std::string> address = store::canonical_address(request.address);
  if (!address) return auth::NoneReply{id, true};
  auto found = find(directory, id, *address);
  if (!found) return unavailable(id, found.error());
  if (found->has_value()) return **found;
  std::string lower = to_lower(*address);
  if (lower != *address) {
    found = find(directory, id, lower);
    if (!found) return unavailable(id, found.error());
    if (found->has_value()) return **found;
  }
  return auth::NoneReply{id, true};
}

}  // namespace gm::authd
