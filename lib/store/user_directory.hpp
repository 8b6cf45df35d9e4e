// The user directory: local domains, users (with their SCRAM secrets,
// status, quota and mailbox location) and aliases. A small interface with
// one file per backend (DESIGN.md, Beyond one machine): Berkeley DB now
// (user_directory_bdb.cpp), LDAP later. Only authd, or gmctl while authd is
// not running, opens it (see writer_lock.hpp).
//
// Every backend keeps the same rules: keys are canonical (address.hpp), a
// user or alias needs its domain, a domain with users or aliases cannot be
// deleted. Errors carry a message fit for an administrator.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "store/directory_records.hpp"
#include "store/writer_lock.hpp"

namespace gm::store {

class UserDirectory {
 public:
  virtual ~UserDirectory() = default;

  virtual Status add_user(const UserRecord& user) = 0;
  virtual Result<std::optional<UserRecord>> get_user(std::string_view address) = 0;
  virtual Status update_user(const UserRecord& user) = 0;  // the user must exist
  virtual Status delete_user(std::string_view address) = 0;
  // Users of one domain, or of all when domain is empty; in key order.
  virtual Result<std::vector<UserRecord>> list_users(std::string_view domain) = 0;

  virtual Status add_domain(const DomainRecord& domain) = 0;
  virtual Result<std::optional<DomainRecord>> get_domain(std::string_view name) = 0;
  virtual Status update_domain(const DomainRecord& domain) = 0;
  virtual Status delete_domain(std::string_view name) = 0;  // refused while in use
  virtual Result<std::vector<DomainRecord>> list_domains() = 0;

  virtual Status add_alias(const AliasRecord& alias) = 0;
  virtual Result<std::optional<AliasRecord>> get_alias(std::string_view address) = 0;
  virtual Status update_alias(const AliasRecord& alias) = 0;  // the alias must exist
  virtual Status delete_alias(std::string_view address) = 0;
  virtual Result<std::vector<AliasRecord>> list_aliases(std::string_view domain) = 0;

  // Housekeeping the owner calls now and then (Berkeley DB: a checkpoint).
  virtual Status maintain() = 0;
};

// Opens (creating if needed) the Berkeley DB directory in db_dir. The lock
// proves the caller is the one writer.
Result<std::unique_ptr<UserDirectory>> open_bdb_user_directory(const std::string& db_dir,
                                                               const WriterLock& lock);

}  // namespace gm::store
