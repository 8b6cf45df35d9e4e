#include "net/listen_fds.hpp"

#include <gtest/gtest.h>

namespace gm::net {
namespace {

constexpr pid_t kSelf = 4242;

TEST(ListenFds, NamesFdsFromThree) {
  auto r = parse_listen_fds("4242", "3", "smtp:submission:submissions", kSelf);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].name, "smtp");
  EXPECT_EQ((*r)[0].fd, 3);
  EXPECT_EQ((*r)[2].name, "submissions");
  EXPECT_EQ((*r)[2].fd, 5);
}

TEST(ListenFds, NamesDefaultToUnknown) {
  auto r = parse_listen_fds("4242", "2", nullptr, kSelf);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[1].name, "unknown");
  EXPECT_EQ((*r)[1].fd, 4);
}

TEST(ListenFds, AnotherProcessesFdsAreNotOurs) {
  auto r = parse_listen_fds("4243", "2", "a:b", kSelf);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST(ListenFds, NothingWithoutPidOrCount) {
  EXPECT_TRUE(parse_listen_fds(nullptr, "2", "a:b", kSelf)->empty());
  EXPECT_TRUE(parse_listen_fds("4242", nullptr, nullptr, kSelf)->empty());
}

TEST(ListenFds, ZeroFdsIsEmpty) {
  EXPECT_TRUE(parse_listen_fds("4242", "0", nullptr, kSelf)->empty());
}

TEST(ListenFds, GarbageIsAnError) {
  for (const char* pid : {"", "abc", "42x", "-5", "0", "99999999999999999999"})
    EXPECT_FALSE(parse_listen_fds(pid, "1", nullptr, kSelf).ok()) << pid;
  for (const char* fds : {"", "x", "1x", "-1", " 1", "100000", "2147483647"})
    EXPECT_FALSE(parse_listen_fds("4242", fds, nullptr, kSelf).ok()) << fds;
}

TEST(ListenFds, NameCountMustMatch) {
  EXPECT_FALSE(parse_listen_fds("4242", "2", "smtp", kSelf).ok());
  EXPECT_FALSE(parse_listen_fds("4242", "1", "smtp:imap", kSelf).ok());
  EXPECT_FALSE(parse_listen_fds("4242", "2", "smtp:", kSelf).ok());
  EXPECT_FALSE(parse_listen_fds("4242", "1", "bad name", kSelf).ok());
  EXPECT_FALSE(parse_listen_fds("4242", "1", std::string(300, 'a').c_str(), kSelf).ok());
}

}  // namespace
}  // namespace gm::net
