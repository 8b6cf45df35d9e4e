#include "store/user_directory.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "store/address.hpp"

namespace gm::store {
namespace {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "gm-dir-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

UserRecord make_user(std::string address) {
  UserRecord user;
  user.address = address;
  user.quota = 1024;
  user.scram_sha256 = "SCRAM-SHA-256:4096:c2FsdA==:a2V5:a2V5";
  user.created = 1700000000;
  user.mailbox = default_mailbox(address);
  return user;
}

class UserDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto lock = WriterLock::try_acquire(dir_.path());
    ASSERT_TRUE(lock.ok() && lock->has_value());
    lock_.emplace(std::move(**lock));
    auto directory = open_bdb_user_directory(dir_.path(), *lock_);
    ASSERT_TRUE(directory.ok()) << directory.error().message;
    directory_ = std::move(*directory);
  }

  TempDir dir_;
  std::optional<WriterLock> lock_;
  std::unique_ptr<UserDirectory> directory_;
};

TEST_F(UserDirectoryTest, AddUser_RequiresItsDomain) {
  EXPECT_FALSE(directory_->add_user(make_user("alice@example.org")).ok());
  ASSERT_TRUE(directory_->add_domain({"example.org", 1, {}}).ok());
  EXPECT_TRUE(directory_->add_user(make_user("alice@example.org")).ok());
  EXPECT_FALSE(directory_->add_user(make_user("alice@example.org")).ok()) << "duplicate";
}

TEST_F(UserDirectoryTest, UserRoundTripsThroughTheDatabase) {
  ASSERT_TRUE(directory_->add_domain({"example.org", 1, {}}).ok());
  ASSERT_TRUE(directory_->add_user(make_user("alice@example.org")).ok());
  auto user = directory_->get_user("alice@example.org");
  ASSERT_TRUE(user.ok() && user->has_value());
  EXPECT_EQ((*user)->quota, 1024u);
  EXPECT_EQ((*user)->mailbox, "example.org/alice");
  EXPECT_EQ((*user)->status, UserStatus::kActive);
  UserRecord changed = **user;
  changed.status = UserStatus::kSuspended;
  ASSERT_TRUE(directory_->update_user(changed).ok());
  EXPECT_EQ((*directory_->get_user("alice@example.org"))->status, UserStatus::kSuspended);
  EXPECT_FALSE(directory_->update_user(make_user("nobody@example.org")).ok());
  auto missing = directory_->get_user("bob@example.org");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_F(UserDirectoryTest, ListUsers_FiltersByDomain) {
  ASSERT_TRUE(directory_->add_domain({"a.example", 1, {}}).ok());
  ASSERT_TRUE(directory_->add_domain({"b.example", 1, {}}).ok());
  ASSERT_TRUE(directory_->add_user(make_user("x@a.example")).ok());
  ASSERT_TRUE(directory_->add_user(make_user("y@b.example")).ok());
  ASSERT_TRUE(directory_->add_user(make_user("z@b.example")).ok());
  EXPECT_EQ(directory_->list_users("")->size(), 3u);
  auto b = directory_->list_users("b.example");
  ASSERT_EQ(b->size(), 2u);
  EXPECT_EQ((*b)[0].address, "y@b.example");
  EXPECT_EQ(directory_->list_domains()->size(), 2u);
}

TEST_F(UserDirectoryTest, DeleteDomain_RefusedWhileUsersOrAliasesRemain) {
  ASSERT_TRUE(directory_->add_domain({"example.org", 1, {}}).ok());
  ASSERT_TRUE(directory_->add_user(make_user("alice@example.org")).ok());
  ASSERT_TRUE(directory_->add_alias({"info@example.org", {"alice@example.org"}, {}}).ok());
  EXPECT_FALSE(directory_->delete_domain("example.org").ok());
  ASSERT_TRUE(directory_->delete_user("alice@example.org").ok());
  EXPECT_FALSE(directory_->delete_domain("example.org").ok()) << "alias still there";
  ASSERT_TRUE(directory_->delete_alias("info@example.org").ok());
  EXPECT_TRUE(directory_->delete_domain("example.org").ok());
  EXPECT_FALSE(directory_->delete_domain("example.org").ok()) << "already gone";
  EXPECT_FALSE(directory_->delete_user("alice@example.org").ok());
}

TEST_F(UserDirectoryTest, Aliases_AddUpdateList) {
  ASSERT_TRUE(directory_->add_domain({"example.org", 1, {}}).ok());
  EXPECT_FALSE(directory_->add_alias({"x@other.example", {"a@b.example"}, {}}).ok());
  ASSERT_TRUE(directory_->add_alias({"info@example.org", {"a@b.example"}, {}}).ok());
  ASSERT_TRUE(
      directory_->update_alias({"info@example.org", {"a@b.example", "c@d.example"}, {}}).ok());
  auto alias = directory_->get_alias("info@example.org");
  ASSERT_TRUE(alias.ok() && alias->has_value());
  EXPECT_EQ((*alias)->targets.size(), 2u);
  EXPECT_EQ(directory_->list_aliases("example.org")->size(), 1u);
  EXPECT_EQ(directory_->list_aliases("other.example")->size(), 0u);
}

TEST_F(UserDirectoryTest, DataSurvivesReopening) {
  ASSERT_TRUE(directory_->add_domain({"example.org", 1, {}}).ok());
  ASSERT_TRUE(directory_->add_user(make_user("alice@example.org")).ok());
  directory_.reset();
  auto reopened = open_bdb_user_directory(dir_.path(), *lock_);
  ASSERT_TRUE(reopened.ok());
  EXPECT_TRUE((*reopened)->get_user("alice@example.org")->has_value());
}

TEST(WriterLock, IsExclusiveUntilReleased) {
  TempDir dir;
  auto first = WriterLock::try_acquire(dir.path());
  ASSERT_TRUE(first.ok() && first->has_value());
  auto second = WriterLock::try_acquire(dir.path());
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->has_value());
  EXPECT_FALSE(WriterLock::acquire(dir.path(), std::chrono::milliseconds(150)).ok());
  first->reset();
  auto third = WriterLock::try_acquire(dir.path());
  ASSERT_TRUE(third.ok());
  EXPECT_TRUE(third->has_value());
}

TEST(WriterLock, CreatesTheDirectory) {
  TempDir dir;
  auto lock = WriterLock::try_acquire(dir.path() + "/a/b");
  ASSERT_TRUE(lock.ok());
  EXPECT_TRUE(lock->has_value());
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/a/b/writer.lock"));
}

}  // namespace
}  // namespace gm::store
