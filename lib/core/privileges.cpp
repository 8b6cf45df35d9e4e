#include "core/privileges.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "core/str.hpp"

namespace gm::core {

Result<Account> lookup_account(std::string_view name) {
  std::string user(name);
  std::vector<char> buf(16384);
  passwd entry{};
  passwd* found = nullptr;
  int rc = getpwnam_r(user.c_str(), &entry, buf.data(), buf.size(), &found);
  if (rc != 0 || found == nullptr)
    return make_error(str_cat("no such user '", printable(user), "'"));
  return Account{user, found->pw_uid, found->pw_gid};
}

Account current_account() {
  Account account{"", getuid(), getgid()};
  std::vector<char> buf(16384);
  passwd entry{};
  passwd* found = nullptr;
  if (getpwuid_r(account.uid, &entry, buf.data(), buf.size(), &found) == 0 && found != nullptr)
    account.name = found->pw_name;
  return account;
}

Status drop_privileges(const Account& account) {
  if (geteuid() == account.uid && getegid() == account.gid && getuid() == account.uid)
    return {};
  if (geteuid() != 0)
    return make_error(str_cat("cannot switch to user ", account.name, ": not running as root"));
  if (initgroups(account.name.c_str(), account.gid) != 0)
    return make_error(str_cat("initgroups(", account.name, "): ", std::strerror(errno)));
  if (setgid(account.gid) != 0) return make_error(str_cat("setgid: ", std::strerror(errno)));
  if (setuid(account.uid) != 0) return make_error(str_cat("setuid: ", std::strerror(errno)));
  // Checked afterwards: a process that can regain root has not dropped it.
  if (account.uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
    return make_error("privilege drop failed: could regain root");
  if (getuid() != account.uid || geteuid() != account.uid || getgid() != account.gid ||
      getegid() != account.gid)
    return make_error("privilege drop failed: ids did not change");
  return {};
}

}  // namespace gm::core
