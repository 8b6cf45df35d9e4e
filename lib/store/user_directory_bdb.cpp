// The user directory in a Berkeley DB environment: users.db, domains.db and
// aliases.db, B-trees keyed by the canonical address or domain, values in
// the text format of directory_records.hpp. Every change is one durable
// transaction, so the referential rules (a user needs its domain; a domain
// in use cannot go) hold after any crash.
#include <functional>

#include "core/str.hpp"
#include "store/address.hpp"
#include "store/db_environment.hpp"
#include "store/user_directory.hpp"

namespace gm::store {
namespace {

using TxnBody = std::function<Status(const DbTransaction&)>;

class BdbUserDirectory final : public UserDirectory {
 public:
  BdbUserDirectory(DbEnvironment env, Database users, Database domains, Database aliases)
      : env_(std::move(env)),
        users_(std::move(users)),
        domains_(std::move(domains)),
        aliases_(std::move(aliases)) {}

  Status add_user(const UserRecord& user) override {
    return in_transaction([&](const DbTransaction& txn) -> Status {
      if (Status s = require_domain(txn, user.address); !s) return s;
      return users_.put(txn, user.address, encode_user(user), false);
    });
  }
  Result<std::optional<UserRecord>> get_user(std::string_view address) override {
    return get_record<UserRecord>(users_, address, decode_user);
  }
  Status update_user(const UserRecord& user) override {
    return replace(users_, user.address, encode_user(user), "user");
  }
  Status delete_user(std::string_view address) override { return remove(users_, address, "user"); }
  Result<std::vector<UserRecord>> list_users(std::string_view domain) override {
    return list_records<UserRecord>(users_, domain, decode_user);
  }

  Status add_domain(const DomainRecord& domain) override {
    return in_transaction([&](const DbTransaction& txn) {
      return domains_.put(txn, domain.name, encode_domain(domain), false);
    });
  }
  Result<std::optional<DomainRecord>> get_domain(std::string_view name) override {
    return get_record<DomainRecord>(domains_, name, decode_domain);
  }
  Status update_domain(const DomainRecord& domain) override {
    return replace(domains_, domain.name, encode_domain(domain), "domain");
  }
  Status delete_domain(std::string_view name) override {
    return in_transaction([&](const DbTransaction& txn) -> Status {
      for (const Database* db : {&users_, &aliases_}) {
        Result<bool> used = has_key_in_domain(*db, txn, name);
        if (!used) return used.error();
        if (*used)
          return make_error(str_cat("domain ", name, " still has ",
                                    db == &users_ ? "users" : "aliases", "; delete them first"));
      }
      return erase_existing(domains_, txn, name, "domain");
    });
  }
  Result<std::vector<DomainRecord>> list_domains() override {
    return list_records<DomainRecord>(domains_, {}, decode_domain);
  }

  Status add_alias(const AliasRecord& alias) override {
    return in_transaction([&](const DbTransaction& txn) -> Status {
      if (Status s = require_domain(txn, alias.address); !s) return s;
      return aliases_.put(txn, alias.address, encode_alias(alias), false);
    });
  }
  Result<std::optional<AliasRecord>> get_alias(std::string_view address) override {
    return get_record<AliasRecord>(aliases_, address, decode_alias);
  }
  Status update_alias(const AliasRecord& alias) override {
    return replace(aliases_, alias.address, encode_alias(alias), "alias");
  }
  Status delete_alias(std::string_view address) override {
    return remove(aliases_, address, "alias");
  }
  Result<std::vector<AliasRecord>> list_aliases(std::string_view domain) override {
    return list_records<AliasRecord>(aliases_, domain, decode_alias);
  }

  Status maintain() override { return env_.checkpoint(); }

 private:
  Status in_transaction(const TxnBody& body) {
    Result<DbTransaction> txn = DbTransaction::begin(env_);
    if (!txn) return txn.error();
    if (Status s = body(*txn); !s) return s;  // the transaction aborts itself
    return txn->commit();
  }

  Status require_domain(const DbTransaction& txn, std::string_view address) {
    std::string_view domain = domain_of(address);
    Result<std::optional<std::string>> found = domains_.get(txn, domain);
    if (!found) return found.error();
    if (!found->has_value())
      return make_error(str_cat("domain ", domain, " is not a local domain"));
    return {};
  }

  Status replace(Database& db, std::string_view key, const std::string& value,
                 std::string_view kind) {
    return in_transaction([&](const DbTransaction& txn) -> Status {
      Result<std::optional<std::string>> old = db.get(txn, key);
      if (!old) return old.error();
      if (!old->has_value()) return make_error(str_cat("no such ", kind, " ", key));
      return db.put(txn, key, value, true);
    });
  }

  Status remove(Database& db, std::string_view key, std::string_view kind) {
    return in_transaction(
        [&](const DbTransaction& txn) { return erase_existing(db, txn, key, kind); });
  }

  static Status erase_existing(Database& db, const DbTransaction& txn, std::string_view key,
                               std::string_view kind) {
    Result<bool> erased = db.erase(txn, key);
    if (!erased) return erased.error();
    if (!*erased) return make_error(str_cat("no such ", kind, " ", key));
    return {};
  }

  static Result<bool> has_key_in_domain(const Database& db, const DbTransaction& txn,
                                        std::string_view domain) {
    Result<DbCursor> cursor = DbCursor::open(db, txn);
    if (!cursor) return cursor.error();
    while (true) {
      auto entry = cursor->next();
      if (!entry) return entry.error();
      if (!entry->has_value()) return false;
      if (domain_of((*entry)->first) == domain) return true;
    }
  }

  template <typename Record, typename Decode>
  Result<std::optional<Record>> get_record(const Database& db, std::string_view key,
                                           Decode decode) {
    Result<DbTransaction> txn = DbTransaction::begin(env_);
    if (!txn) return txn.error();
    Result<std::optional<std::string>> value = db.get(*txn, key);
    if (!value) return value.error();
    if (!value->has_value()) return std::optional<Record>();
    Result<Record> record = decode(key, **value);
    if (!record)
      return make_error(str_cat("damaged record for ", key, ": ", record.error().message));
    if (Status s = txn->commit(); !s) return s.error();
    return std::optional<Record>(std::move(*record));
  }

  // A damaged record is reported, not skipped: the administrator must know.
  template <typename Record, typename Decode>
  Result<std::vector<Record>> list_records(const Database& db, std::string_view domain,
                                           Decode decode) {
    Result<DbTransaction> txn = DbTransaction::begin(env_);
    if (!txn) return txn.error();
    std::vector<Record> out;
    {
      Result<DbCursor> cursor = DbCursor::open(db, *txn);
      if (!cursor) return cursor.error();
      while (true) {
        auto entry = cursor->next();
        if (!entry) return entry.error();
        if (!entry->has_value()) break;
        const auto& [key, value] = **entry;
        if (!domain.empty() && domain_of(key) != domain) continue;
        Result<Record> record = decode(key, value);
        if (!record)
          return make_error(
              str_cat("damaged record for ", printable(key), ": ", record.error().message));
        out.push_back(std::move(*record));
      }
    }
    if (Status s = txn->commit(); !s) return s.error();
    return out;
  }

  // Declared first, destroyed last: the databases close before it.
  DbEnvironment env_;
  Database users_;
  Database domains_;
  Database aliases_;
};

}  // namespace

Result<std::unique_ptr<UserDirectory>> open_bdb_user_directory(const std::string& db_dir,
                                                               const WriterLock&) {
  Result<DbEnvironment> env = DbEnvironment::open(db_dir);
  if (!env) return env.error();
  Result<Database> users = Database::open(*env, "users.db");
  if (!users) return users.error();
  Result<Database> domains = Database::open(*env, "domains.db");
  if (!domains) return domains.error();
  Result<Database> aliases = Database::open(*env, "aliases.db");
  if (!aliases) return aliases.error();
  return std::unique_ptr<UserDirectory>(std::make_unique<BdbUserDirectory>(
      std::move(*env), std::move(*users), std::move(*domains), std::move(*aliases)));
}

}  // namespace gm::store
