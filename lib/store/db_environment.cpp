#include "store/db_environment.hpp"

#include <cstring>

#include "core/log.hpp"
#include "core/str.hpp"

namespace gm::store {
namespace {

// Log files are preallocated; the directory's changes are small.
constexpr u_int32_t kLogFileSize = 1 << 20;

Error db_error(std::string_view what, int ret) {
  return make_error(str_cat("Berkeley DB: ", what, ": ", db_strerror(ret)));
}

void log_db_message(const DB_ENV*, const char*, const char* message) {
  log::warning(str_cat("Berkeley DB: ", message));
}

DBT make_dbt(std::string_view bytes) {
  DBT dbt;
  std::memset(&dbt, 0, sizeof dbt);
  dbt.data = const_cast<char*>(bytes.data());  // BDB does not write through input DBTs
  dbt.size = static_cast<u_int32_t>(bytes.size());
  return dbt;
}

DBT malloc_dbt() {
  DBT dbt;
  std::memset(&dbt, 0, sizeof dbt);
  dbt.flags = DB_DBT_MALLOC;
  return dbt;
}

// Takes ownership of a DB_DBT_MALLOC result.
std::string take(DBT& dbt) {
  std::string out(static_cast<const char*>(dbt.data), dbt.size);
  std::free(dbt.data);
  dbt.data = nullptr;
  return out;
}

}  // namespace

void DbEnvironment::Close::operator()(DB_ENV* env) const {
  env->txn_checkpoint(env, 0, 0, 0);
  env->close(env, 0);
}

Result<DbEnvironment> DbEnvironment::open(const std::string& home) {
  DB_ENV* raw = nullptr;
  if (int ret = db_env_create(&raw, 0); ret != 0) return db_error("db_env_create", ret);
  DbEnvironment env;
  env.env_.reset(raw);
  raw->set_errcall(raw, log_db_message);
  raw->set_lk_detect(raw, DB_LOCK_DEFAULT);
  // Log files a checkpoint made unneeded are removed: the directory stays
  // small, at the price of catastrophic recovery (back the files up instead).
  raw->log_set_config(raw, DB_LOG_AUTO_REMOVE, 1);
  raw->set_lg_max(raw, kLogFileSize);
  constexpr u_int32_t kFlags =
      DB_CREATE | DB_INIT_TXN | DB_INIT_LOCK | DB_INIT_LOG | DB_INIT_MPOOL | DB_RECOVER;
  if (int ret = raw->open(raw, home.c_str(), kFlags, 0600); ret != 0) {
    // A failed open must still be closed, but not checkpointed.
    raw->close(raw, 0);
    (void)env.env_.release();
    return db_error(str_cat("open environment ", home), ret);
  }
  return env;
}

Status DbEnvironment::checkpoint() {
  if (int ret = env_->txn_checkpoint(env_.get(), 0, 0, 0); ret != 0)
    return db_error("checkpoint", ret);
  return {};
}

Result<DbTransaction> DbTransaction::begin(const DbEnvironment& env) {
  DB_TXN* raw = nullptr;
  if (int ret = env.get()->txn_begin(env.get(), nullptr, &raw, 0); ret != 0)
    return db_error("begin transaction", ret);
  DbTransaction txn;
  txn.txn_.reset(raw);
  return txn;
}

Status DbTransaction::commit() {
  DB_TXN* raw = txn_.release();  // commit frees the handle even when it fails
  if (int ret = raw->commit(raw, 0); ret != 0) return db_error("commit", ret);
  return {};
}

Result<Database> Database::open(const DbEnvironment& env, const std::string& file) {
  DB* raw = nullptr;
  if (int ret = db_create(&raw, env.get(), 0); ret != 0) return db_error("db_create", ret);
  Database db;
  db.db_.reset(raw);
  if (int ret = raw->open(raw, nullptr, file.c_str(), nullptr, DB_BTREE, DB_CREATE | DB_AUTO_COMMIT,
                          0600);
      ret != 0)
    return db_error(str_cat("open ", file), ret);
  return db;
}

Result<std::optional<std::string>> Database::get(const DbTransaction& txn,
                                                 std::string_view key) const {
  DBT k = make_dbt(key);
  DBT v = malloc_dbt();
  int ret = db_->get(db_.get(), txn.get(), &k, &v, 0);
  if (ret == DB_NOTFOUND) return std::optional<std::string>();
  if (ret != 0) return db_error("get", ret);
  return std::optional<std::string>(take(v));
}

Status Database::put(const DbTransaction& txn, std::string_view key, std::string_view value,
                     bool overwrite) {
  DBT k = make_dbt(key);
  DBT v = make_dbt(value);
  int ret = db_->put(db_.get(), txn.get(), &k, &v, overwrite ? 0 : DB_NOOVERWRITE);
  if (ret == DB_KEYEXIST) return make_error(str_cat(printable(key), " already exists"));
  if (ret != 0) return db_error("put", ret);
  return {};
}

Result<bool> Database::erase(const DbTransaction& txn, std::string_view key) {
  DBT k = make_dbt(key);
  int ret = db_->del(db_.get(), txn.get(), &k, 0);
  if (ret == DB_NOTFOUND) return false;
  if (ret != 0) return db_error("delete", ret);
  return true;
}

Result<DbCursor> DbCursor::open(const Database& db, const DbTransaction& txn) {
  DBC* raw = nullptr;
  if (int ret = db.get()->cursor(db.get(), txn.get(), &raw, 0); ret != 0)
    return db_error("cursor", ret);
  DbCursor cursor;
  cursor.cursor_.reset(raw);
  return cursor;
}

Result<std::optional<std::pair<std::string, std::string>>> DbCursor::next() {
  using Entry = std::optional<std::pair<std::string, std::string>>;
  DBT k = malloc_dbt();
  DBT v = malloc_dbt();
  int ret = cursor_->get(cursor_.get(), &k, &v, DB_NEXT);
  if (ret == DB_NOTFOUND) return Entry();
  if (ret != 0) return db_error("cursor get", ret);
  std::string key = take(k);
  return Entry(std::pair(std::move(key), take(v)));
}

}  // namespace gm::store
