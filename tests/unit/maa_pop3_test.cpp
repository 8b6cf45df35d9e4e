#include <gtest/gtest.h>

#include <vector>

#include "mail/pop3_body_writer.hpp"
#include "pop3_maildrop.hpp"
#include "user_sessions.hpp"

namespace gm::maa {
namespace {

using mail::Pop3BodyWriter;

std::string wire(std::string_view message, std::optional<uint64_t> top = std::nullopt,
                 size_t chunk = 1) {
  Pop3BodyWriter writer(top);
  std::string out;
  for (size_t i = 0; i < message.size(); i += chunk)
    if (!writer.feed(message.substr(i, chunk), out)) break;
  writer.finish(out);
  return out;
}

TEST(Pop3BodyWriterTest, StuffsDotsAndAddsCrToBareLfInAnyChunking) {
  std::string_view message = "A: b\n\n.x\r\n..y\nz";
  for (size_t chunk : {1, 2, 3, 100})
    EXPECT_EQ(wire(message, std::nullopt, chunk), "A: b\r\n\r\n..x\r\n...y\r\nz\r\n.\r\n") << chunk;
}

TEST(Pop3BodyWriterTest, KeepsCrlfAndEndsWithDotLine) {
  EXPECT_EQ(wire("A: b\r\n\r\nbody\r\n"), "A: b\r\n\r\nbody\r\n.\r\n");
  EXPECT_EQ(wire(""), ".\r\n");
}

TEST(Pop3BodyWriterTest, TopSendsHeaderAndNLines) {
  std::string_view message = "A: b\r\nC: d\r\n\r\n1\r\n2\r\n3\r\n";
  EXPECT_EQ(wire(message, 0), "A: b\r\nC: d\r\n\r\n.\r\n");
  EXPECT_EQ(wire(message, 2, 4), "A: b\r\nC: d\r\n\r\n1\r\n2\r\n.\r\n");
  EXPECT_EQ(wire(message, 10), "A: b\r\nC: d\r\n\r\n1\r\n2\r\n3\r\n.\r\n");
}

TEST(Pop3BodyWriterTest, WireSizeCountsACrForEachBareLf) {
  bool after_cr = false;
  EXPECT_EQ(Pop3BodyWriter::wire_size("a\nb\r", after_cr), 5u);
  EXPECT_EQ(Pop3BodyWriter::wire_size("\nc\n", after_cr), 4u);  // the first LF follows a CR
}

TEST(Pop3Uidl, IsTheBaseNameOrADigestWhenNotUsable) {
  EXPECT_EQ(pop3_uidl("1700000000.M1P2Q3.host:2,S"), "1700000000.M1P2Q3.host");
  std::string long_name(80, 'a');
  std::string digest = pop3_uidl(long_name);
  EXPECT_EQ(digest.size(), 64u);
  EXPECT_EQ(pop3_uidl(long_name + ":2,S"), digest);
  EXPECT_EQ(pop3_uidl("a b").size(), 64u);
}

TEST(UserSessions, CountsPerUserAndReleasesOnDestruction) {
  UserSessions sessions(2);
  auto a = sessions.take("u");
  auto b = sessions.take("u");
  EXPECT_TRUE(a && b);
  EXPECT_FALSE(sessions.take("u"));
  EXPECT_TRUE(sessions.take("v"));
  { auto moved = std::move(a); }
  EXPECT_EQ(sessions.count("u"), 1u);
  EXPECT_TRUE(sessions.take("u"));
  UserSessions unlimited(0);
  std::vector<UserSessions::Slot> held;
  for (int i = 0; i < 100; ++i) held.push_back(unlimited.take("u"));
  EXPECT_TRUE(held.back());
  EXPECT_EQ(unlimited.count("u"), 100u);
}

}  // namespace
}  // namespace gm::maa
