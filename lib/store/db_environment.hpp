// Berkeley DB 5.3 (C API), transactional: one environment directory, its
// databases, and transactions that commit durably (log flushed to disk on
// commit; never DB_TXN_NOSYNC). Each handle closes or aborts itself.
// Every call here may block on the disk; authd accepts that for its small
// directory (one writer, short transactions).
#pragma once

#include <db.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace gm::store {

class DbEnvironment {
 public:
  // Creates the directory's files if needed and runs normal recovery, which
  // needs exclusive use: the caller holds the WriterLock.
  static Result<DbEnvironment> open(const std::string& home);
  DB_ENV* get() const { return env_.get(); }
  // Writes a checkpoint so recovery stays short and old logs can go.
  Status checkpoint();

 private:
  struct Close {
    void operator()(DB_ENV* env) const;
  };
  std::unique_ptr<DB_ENV, Close> env_;
};

class DbTransaction {
 public:
  static Result<DbTransaction> begin(const DbEnvironment& env);
  DB_TXN* get() const { return txn_.get(); }
  // Durable: returns after the log is on disk.
  Status commit();

 private:
  struct Abort {
    void operator()(DB_TXN* txn) const { txn->abort(txn); }
  };
  std::unique_ptr<DB_TXN, Abort> txn_;
};

// One B-tree database file inside the environment.
class Database {
 public:
  static Result<Database> open(const DbEnvironment& env, const std::string& file);
  DB* get() const { return db_.get(); }

  Result<std::optional<std::string>> get(const DbTransaction& txn, std::string_view key) const;
  // With overwrite false an existing key is an error naming the key.
  Status put(const DbTransaction& txn, std::string_view key, std::string_view value,
             bool overwrite);
  // False when the key was not there.
  Result<bool> erase(const DbTransaction& txn, std::string_view key);

 private:
  struct Close {
    void operator()(DB* db) const { db->close(db, 0); }
  };
  std::unique_ptr<DB, Close> db_;
};

// Walks a database in key order inside a transaction.
class DbCursor {
 public:
  static Result<DbCursor> open(const Database& db, const DbTransaction& txn);
  // The next record; nullopt at the end.
  Result<std::optional<std::pair<std::string, std::string>>> next();

 private:
  struct Close {
    void operator()(DBC* cursor) const { cursor->close(cursor); }
  };
  std::unique_ptr<DBC, Close> cursor_;
};

}  // namespace gm::store
