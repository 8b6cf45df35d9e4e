#include "auth/directory_admin.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "auth/scram_secret.hpp"
#include "store/admin_protocol.hpp"

namespace gm::auth {
namespace {

using store::AdminCommand;
using store::AdminReply;
using store::AdminRequest;

std::string secret(ScramHash hash) {
  return encode_scram_secret(make_scram_secret(hash, Secret("pw"), 4096));
}

class DirectoryAdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "gm-admin-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
    auto lock = store::WriterLock::try_acquire(path_);
    ASSERT_TRUE(lock.ok() && lock->has_value());
    lock_.emplace(std::move(**lock));
    auto directory = store::open_bdb_user_directory(path_, *lock_);
    ASSERT_TRUE(directory.ok());
    directory_ = std::move(*directory);
  }
  void TearDown() override {
    directory_.reset();
    lock_.reset();
    std::filesystem::remove_all(path_);
  }

  // Runs a request given as a protocol line, as authd would.
  AdminReply run(std::string_view line) {
    auto request = store::parse_admin_request(line);
    if (!request) return store::admin_error(request.error().message);
    return apply_admin_request(*directory_, *request, 1700000000);
  }

  std::string user_add(std::string_view address, std::string_view extra = "") {
    return std::string("USER-ADD\t") + std::string(address) + "\t" + secret(ScramHash::kSha1) +
           "\t" + secret(ScramHash::kSha256) + "\t1024" + std::string(extra);
  }

  std::string path_;
  std::optional<store::WriterLock> lock_;
  std::unique_ptr<store::UserDirectory> directory_;
};

TEST_F(DirectoryAdminTest, UserLifecycle) {
  EXPECT_TRUE(run("DOMAIN-ADD\tExample.ORG").ok);
  EXPECT_TRUE(run(user_add("alice@EXAMPLE.org")).ok);
  AdminReply list = run("USER-LIST");
  ASSERT_TRUE(list.ok);
  ASSERT_EQ(list.rows.size(), 1u);
  EXPECT_EQ(list.rows[0],
            (std::vector<std::string>{"alice@example.org", "active", "1024", "example.org/alice"}));
  EXPECT_TRUE(run("USER-SUSPEND\talice@example.org").ok);
  AdminReply show = run("USER-SHOW\talice@example.org");
  ASSERT_TRUE(show.ok);
  EXPECT_EQ(show.rows[1], (std::vector<std::string>{"status", "suspended"}));
  for (const auto& row : show.rows)
    EXPECT_EQ(row[1].find("SCRAM-SHA-256:"), std::string::npos) << "no secret in the output";
  EXPECT_TRUE(run("USER-UNSUSPEND\talice@example.org").ok);
  EXPECT_TRUE(run("USER-DELETE\talice@example.org").ok);
  EXPECT_FALSE(run("USER-DELETE\talice@example.org").ok);
  EXPECT_TRUE(run("DOMAIN-DELETE\texample.org").ok);
}

TEST_F(DirectoryAdminTest, UserAddChecksItsArguments) {
  ASSERT_TRUE(run("DOMAIN-ADD\texample.org").ok);
  EXPECT_FALSE(run(user_add("not an address")).ok);
  EXPECT_FALSE(run(user_add("bob@other.example")).ok) << "domain not local";
  EXPECT_FALSE(run("USER-ADD\tbob@example.org\tjunk\t-\t1").ok);
  EXPECT_FALSE(run("USER-ADD\tbob@example.org\t-\t-\t1").ok) << "no secret at all";
  EXPECT_FALSE(run("USER-ADD\tbob@example.org\t-\t" + secret(ScramHash::kSha1) + "\t1").ok)
      << "a SHA-1 secret in the SHA-256 field";
  EXPECT_FALSE(run(user_add("bob@example.org", "\t../../etc")).ok) << "mailbox escapes";
  EXPECT_FALSE(run("USER-ADD\tbob@example.org\t-\t" + secret(ScramHash::kSha256) + "\t1x").ok);
  EXPECT_TRUE(run("USER-ADD\tbob@example.org\t-\t" + secret(ScramHash::kSha256) + "\t0").ok);
  EXPECT_TRUE(run(user_add("carol@example.org", "\tbackend2/carol")).ok);
  EXPECT_EQ(run("USER-SHOW\tcarol@example.org").rows[3][1], "backend2/carol");
}

TEST_F(DirectoryAdminTest, AliasesAddAndRemoveTargets) {
  ASSERT_TRUE(run("DOMAIN-ADD\texample.org").ok);
  EXPECT_TRUE(run("ALIAS-ADD\tinfo@example.org\ta@x.example\tb@y.example").ok);
  EXPECT_TRUE(run("ALIAS-ADD\tinfo@example.org\ta@X.EXAMPLE\tc@z.example").ok);
  AdminReply list = run("ALIAS-LIST\texample.org");
  ASSERT_EQ(list.rows.size(), 1u);
  EXPECT_EQ(list.rows[0][1], "a@x.example,b@y.example,c@z.example");
  EXPECT_FALSE(run("ALIAS-ADD\tinfo@example.org\tbad target").ok);
  EXPECT_FALSE(run("ALIAS-DELETE\tinfo@example.org\tnot@there.example").ok);
  EXPECT_TRUE(run("ALIAS-DELETE\tinfo@example.org\ta@x.example\tb@y.example").ok);
  EXPECT_TRUE(run("ALIAS-DELETE\tinfo@example.org\tc@z.example").ok) << "last target";
  EXPECT_FALSE(run("ALIAS-LIST\tinfo@example.org").ok) << "alias gone with its last target";
}

TEST(AdminProtocol, ParsesAndEncodesRequests) {
  auto request = store::parse_admin_request("USER-LIST\texample.org");
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->command, AdminCommand::kUserList);
  EXPECT_EQ(store::encode_admin_request(*request), "USER-LIST\texample.org\n");
  for (std::string_view bad :
       {"", "NOPE", "USER-SHOW", "USER-SHOW\ta\tb", "DOMAIN-ADD\ta\x01", "user-list"})
    EXPECT_FALSE(store::parse_admin_request(bad).ok()) << bad;
  EXPECT_FALSE(store::parse_admin_request(std::string(store::kMaxAdminLineLength + 1, 'a')).ok());
}

TEST(AdminProtocol, RepliesRoundTripThroughTheReader) {
  AdminRequest list{AdminCommand::kDomainList, {}};
  AdminReply reply;
  reply.rows = {{".dot"}, {"example.org"}};
  std::string text = store::encode_admin_reply(list, reply);
  EXPECT_EQ(text, "OK\n..dot\nexample.org\n.\n");
  store::AdminReplyReader reader(AdminCommand::kDomainList);
  size_t start = 0;
  for (size_t eol; (eol = text.find('\n', start)) != std::string::npos; start = eol + 1)
    ASSERT_TRUE(reader.feed(std::string_view(text).substr(start, eol - start)).ok());
  EXPECT_TRUE(reader.done());
  EXPECT_EQ(reader.reply().rows, reply.rows);

  store::AdminReplyReader refused(AdminCommand::kUserAdd);
  ASSERT_TRUE(refused.feed("ERR\tno such domain").ok());
  EXPECT_TRUE(refused.done());
  EXPECT_FALSE(refused.reply().ok);
  EXPECT_EQ(refused.reply().error, "no such domain");
  store::AdminReplyReader bad(AdminCommand::kUserAdd);
  EXPECT_FALSE(bad.feed("WHAT").ok());
}

}  // namespace
}  // namespace gm::auth
