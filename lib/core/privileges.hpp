// Dropping root: a daemon started by gm-master as root switches to its
// account (supplementary groups, group, user) and checks it cannot go back.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace gm::core {

struct Account {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
};

Result<Account> lookup_account(std::string_view name);
Account current_account();
// No-op when already running as that account; an error if not root and the
// account differs, or if any step fails or can be undone.
Status drop_privileges(const Account& account);

}  // namespace gm::core
