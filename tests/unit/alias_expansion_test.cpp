#include "auth/alias_expansion.hpp"

#include <gtest/gtest.h>

#include <map>

namespace gm::auth {
namespace {

DirectoryEntry user(std::string address, bool active = true) {
  DirectoryEntry e;
  e.kind = DirectoryEntry::Kind::kUser;
  e.address = std::move(address);
  e.active = active;
  e.mailbox = "x/" + e.address;
  e.local_domain = true;
  return e;
}

DirectoryEntry alias(std::string address, std::vector<std::string> targets) {
  DirectoryEntry e;
  e.kind = DirectoryEntry::Kind::kAlias;
  e.address = std::move(address);
  e.targets = std::move(targets);
  e.local_domain = true;
  return e;
}

DirectoryEntry none(bool local) {
  DirectoryEntry e;
  e.local_domain = local;
  return e;
}

// Runs an expansion against a fixed directory; unknown addresses: NONE local.
Expansion expand(const std::string& start, const std::map<std::string, DirectoryEntry>& dir,
                 size_t* lookups = nullptr) {
  AliasExpander expander(start);
  size_t n = 0;
  while (auto next = expander.next()) {
    auto it = dir.find(*next);
    expander.feed(it == dir.end() ? none(true) : it->second);
    ++n;
  }
  if (lookups) *lookups = n;
  return expander.result();
}

std::vector<std::string> addresses(const Expansion& e) {
  std::vector<std::string> out;
  for (const auto& u : e.users) out.push_back(u.address);
  return out;
}

TEST(AliasExpansion, UserIsItself) {
  auto e = expand("a@x", {{"a@x", user("a@x")}});
  EXPECT_EQ(addresses(e), std::vector<std::string>{"a@x"});
}

TEST(AliasExpansion, NestedAliasesInOrderWithoutDuplicates) {
  auto e = expand("team@x", {{"team@x", alias("team@x", {"a@x", "sub@x", "b@x"})},
                             {"sub@x", alias("sub@x", {"b@x", "c@x", "a@x"})},
                             {"a@x", user("a@x")},
                             {"b@x", user("b@x")},
                             {"c@x", user("c@x")}});
  // Depth first: sub's c comes before team's b, which sub also names.
  EXPECT_EQ(addresses(e), (std::vector<std::string>{"a@x", "c@x", "b@x"}));
  EXPECT_FALSE(e.loop);
}

TEST(AliasExpansion, LoopIsDetectedAndEnds) {
  size_t lookups = 0;
  auto e = expand(
      "a@x",
      {{"a@x", alias("a@x", {"b@x"})}, {"b@x", alias("b@x", {"a@x", "u@x"})}, {"u@x", user("u@x")}},
      &lookups);
  EXPECT_TRUE(e.loop);
  EXPECT_EQ(addresses(e), std::vector<std::string>{"u@x"});
  EXPECT_EQ(lookups, 3u);
  auto self = expand("s@x", {{"s@x", alias("s@x", {"s@x"})}});
  EXPECT_TRUE(self.loop);
  EXPECT_TRUE(self.users.empty());
}

TEST(AliasExpansion, DepthIsLimited) {
  std::map<std::string, DirectoryEntry> dir;
  for (int i = 0; i < 20; ++i) {
    std::string a = "l" + std::to_string(i) + "@x";
    dir[a] = alias(a, {"l" + std::to_string(i + 1) + "@x"});
  }
  dir["l20@x"] = user("l20@x");
  auto e = expand("l0@x", dir);
  EXPECT_TRUE(e.too_deep);
  EXPECT_TRUE(e.users.empty());
  // Exactly kMaxAliasDepth aliases deep still arrives.
  auto ok = expand("l10@x", dir);
  EXPECT_FALSE(ok.too_deep);
  EXPECT_EQ(addresses(ok), std::vector<std::string>{"l20@x"});
}

TEST(AliasExpansion, SortsOutSuspendedUnknownAndRemote) {
  auto e = expand("t@x", {{"t@x", alias("t@x", {"s@x", "gone@x", "far@y", "a@x"})},
                          {"s@x", user("s@x", false)},
                          {"far@y", none(false)},
                          {"a@x", user("a@x")}});
  EXPECT_EQ(addresses(e), std::vector<std::string>{"a@x"});
  EXPECT_EQ(e.suspended, std::vector<std::string>{"s@x"});
  EXPECT_EQ(e.unknown, std::vector<std::string>{"gone@x"});
  EXPECT_EQ(e.remote, std::vector<std::string>{"far@y"});
}

TEST(AliasExpansion, DomainCaseDoesNotHideADuplicate) {
  auto e = expand("t@x", {{"t@x", alias("t@x", {"a@x", "a@X"})}, {"a@x", user("a@x")}});
  EXPECT_EQ(addresses(e), std::vector<std::string>{"a@x"});
}

}  // namespace
}  // namespace gm::auth
