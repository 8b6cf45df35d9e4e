#include "store/directory_records.hpp"

#include <gtest/gtest.h>

#include "store/address.hpp"

namespace gm::store {
namespace {

TEST(Address, CanonicalFormLowercasesOnlyTheDomain) {
  EXPECT_EQ(*canonical_address("Alice.Smith@Example.ORG"), "Alice.Smith@example.org");
  EXPECT_EQ(*canonical_address("a+tag@x-y.example"), "a+tag@x-y.example");
  EXPECT_EQ(*canonical_domain("EXAMPLE.org"), "example.org");
  EXPECT_EQ(domain_of("a@b.example"), "b.example");
  EXPECT_EQ(local_part_of("a@b.example"), "a");
}

TEST(Address, RejectsBadSyntax) {
  for (std::string_view bad :
       {"", "alice", "@example.org", "alice@", "al ice@example.org", "alice@exa mple.org",
        ".alice@example.org", "alice.@example.org", "al..ice@example.org", "a/b@example.org",
        "alice@-example.org", "alice@example-.org", "alice@example..org", "alice@example.org.",
        "\"quoted\"@example.org", "alice@[127.0.0.1]", "al\x01ice@example.org",
        "alice@ex\xc3\xa4mple.org", "alice@example.org\n"})
    EXPECT_FALSE(canonical_address(bad).ok()) << bad;
}

TEST(Address, EnforcesRfc5321Lengths) {
  std::string local(64, 'a');
  EXPECT_TRUE(canonical_address(local + "@example.org").ok());
  EXPECT_FALSE(canonical_address(local + "a@example.org").ok());
  std::string label(63, 'b');
  EXPECT_TRUE(canonical_domain(label + ".example").ok());
  EXPECT_FALSE(canonical_domain(label + "b.example").ok());
  std::string long_domain;
  for (int i = 0; i < 5; ++i) long_domain += std::string(50, 'c') + ".";
  long_domain += "org";
  EXPECT_FALSE(canonical_domain(long_domain).ok());
  EXPECT_FALSE(canonical_address("a@" + std::string(62, 'd') + "." + std::string(62, 'd') + "." +
                                 std::string(62, 'd') + "." + std::string(62, 'd') + ".org")
                   .ok())
      << "over 254 octets in all";
}

TEST(UserRecordFormat, RoundTrips) {
  UserRecord user;
  user.address = "alice@example.org";
  user.status = UserStatus::kSuspended;
  user.quota = 2ull << 30;
  user.scram_sha1 = "SCRAM-SHA-1:4096:c2FsdA==:a2V5:a2V5";
  user.scram_sha256 = "SCRAM-SHA-256:4096:c2FsdA==:a2V5:a2V5";
  user.created = 1700000000;
  user.mailbox = "example.org/alice";
  std::string text = encode_user(user);
  EXPECT_TRUE(text.starts_with("v=1\n"));
  auto back = decode_user("alice@example.org", text);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->status, UserStatus::kSuspended);
  EXPECT_EQ(back->quota, 2ull << 30);
  EXPECT_EQ(back->scram_sha1, user.scram_sha1);
  EXPECT_EQ(back->scram_sha256, user.scram_sha256);
  EXPECT_EQ(back->created, 1700000000);
  EXPECT_EQ(back->mailbox, "example.org/alice");
}

TEST(UserRecordFormat, KeepsUnknownFieldsOfLaterVersions) {
  std::string text = "v=2\nstatus=active\nquota=0\ncreated=5\nmailbox=m/a\nhome-server=b2\n";
  auto user = decode_user("a@m", text);
  ASSERT_TRUE(user.ok()) << user.error().message;
  ASSERT_EQ(user->extra.size(), 1u);
  EXPECT_NE(encode_user(*user).find("home-server=b2\n"), std::string::npos);
}

TEST(UserRecordFormat, RejectsDamagedRecords) {
  for (std::string_view bad :
       {"", "status=active\nmailbox=m\n", "v=0\nstatus=active\nmailbox=m\n",
        "v=x\nstatus=active\nmailbox=m\n", "v=1\nstatus=gone\nmailbox=m\n", "v=1\nstatus=active\n",
        "v=1\nstatus=active\nmailbox=m\nquota=-1\n", "v=1\nstatus=active\nmailbox=m\nquota=12x\n",
        "v=1\nstatus=active\nmailbox=m", "v=1\nstatus=active\nmailbox=/etc\n",
        "v=1\nstatus=active\nmailbox=a/../b\n", "v=1\nno equals sign\n",
        "v=1\nBAD=1\nstatus=active\nmailbox=m\n"})
    EXPECT_FALSE(decode_user("a@b", bad).ok()) << bad;
  EXPECT_FALSE(decode_user("a@b", "v=1\n" + std::string(kMaxRecordSize, 'x')).ok());
}

TEST(AliasRecordFormat, RoundTripsAndValidatesTargets) {
  AliasRecord alias{"info@example.org", {"a@b.example", "c@d.example"}, {}};
  auto back = decode_alias(alias.address, encode_alias(alias));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->targets, alias.targets);
  EXPECT_FALSE(decode_alias("x@y", "v=1\n").ok()) << "no target";
  EXPECT_FALSE(decode_alias("x@y", "v=1\ntarget=not an address\n").ok());
}

TEST(DomainRecordFormat, RoundTrips) {
  auto back = decode_domain("example.org", encode_domain({"example.org", 42, {}}));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->created, 42);
}

TEST(Mailbox, DefaultIsDomainSlashLocalPart) {
  EXPECT_EQ(default_mailbox("alice@example.org"), "example.org/alice");
  EXPECT_TRUE(check_mailbox("backend2/example.org/alice").ok());
  EXPECT_FALSE(check_mailbox("").ok());
  EXPECT_FALSE(check_mailbox("../x").ok());
  EXPECT_FALSE(check_mailbox("a\tb").ok());
}

}  // namespace
}  // namespace gm::store
