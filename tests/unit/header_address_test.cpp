#include "mail/header_address.hpp"

#include <gtest/gtest.h>

namespace gm::mail {
namespace {

TEST(HeaderAddress, PlainAddrSpec) {
  auto list = parse_address_list("alice@example.org");
  ASSERT_TRUE(list.ok()) << list.error().message;
  ASSERT_EQ(list->size(), 1u);
  EXPECT_FALSE((*list)[0].is_group);
  EXPECT_EQ((*list)[0].mailboxes[0].address(), "alice@example.org");
  EXPECT_EQ((*list)[0].mailboxes[0].display_name, "");
}

TEST(HeaderAddress, DisplayNamesQuotedAndPlain) {
  auto list = parse_address_list(
      "Alice Example <alice@example.org>, \"Smith, Bob\" <bob@example.org>,\r\n carol@example.org");
  ASSERT_TRUE(list.ok()) << list.error().message;
  auto boxes = flatten(*list);
  ASSERT_EQ(boxes.size(), 3u);
  EXPECT_EQ(boxes[0].display_name, "Alice Example");
  EXPECT_EQ(boxes[1].display_name, "Smith, Bob");
  EXPECT_EQ(boxes[1].address(), "bob@example.org");
  EXPECT_EQ(boxes[2].address(), "carol@example.org");
}

TEST(HeaderAddress, CommentsAreSkippedEvenNested) {
  auto list = parse_address_list("(boss (really)) Pete(his name) <pete(at)@silly.example(tld)>");
  ASSERT_TRUE(list.ok()) << list.error().message;
  auto boxes = flatten(*list);
  ASSERT_EQ(boxes.size(), 1u);
  EXPECT_EQ(boxes[0].display_name, "Pete");
  EXPECT_EQ(boxes[0].address(), "pete@silly.example");
}

TEST(HeaderAddress, GroupsWithMembersAndEmpty) {
  auto list = parse_address_list(
      "A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;, Undisclosed recipients:;");
  ASSERT_TRUE(list.ok()) << list.error().message;
  ASSERT_EQ(list->size(), 2u);
  EXPECT_TRUE((*list)[0].is_group);
  EXPECT_EQ((*list)[0].group_name, "A Group");
  ASSERT_EQ((*list)[0].mailboxes.size(), 3u);
  EXPECT_EQ((*list)[0].mailboxes[2].display_name, "John");
  EXPECT_TRUE((*list)[1].is_group);
  EXPECT_TRUE((*list)[1].mailboxes.empty());
  EXPECT_EQ(flatten(*list).size(), 3u);
}

TEST(HeaderAddress, GroupsAreNotMailboxes) {
  EXPECT_FALSE(parse_mailbox_list("G: a@b.example;").ok());
  EXPECT_FALSE(parse_address_list("Outer: Inner: a@b.example;;").ok());
  EXPECT_FALSE(parse_address_list("G: a@b.example").ok());  // no ;
}

TEST(HeaderAddress, QuotedLocalPartAndDomainLiteral) {
  auto boxes = parse_mailbox_list("\"john q\"@example.org, x@[192.0.2.1]");
  ASSERT_TRUE(boxes.ok()) << boxes.error().message;
  ASSERT_EQ(boxes->size(), 2u);
  EXPECT_EQ((*boxes)[0].local_part, "john q");
  EXPECT_EQ((*boxes)[1].domain, "[192.0.2.1]");
}

TEST(HeaderAddress, ObsoleteFormsAreTolerated) {
  // RFC 5322 4.4: routes, CFWS around dots, empty list elements, dots in phrases.
  auto list = parse_address_list(
      "Joe Q. Public <@relay.test,@other.test:john . q . public @ example . org>, , ,"
      "Mary <mary@x.test>");
  ASSERT_TRUE(list.ok()) << list.error().message;
  auto boxes = flatten(*list);
  ASSERT_EQ(boxes.size(), 2u);
  EXPECT_EQ(boxes[0].display_name, "Joe Q. Public");
  EXPECT_EQ(boxes[0].address(), "john.q.public@example.org");
}

TEST(HeaderAddress, Utf8AsRfc6532Allows) {
  auto boxes = parse_mailbox_list("J\xc3\xb6rg <j\xc3\xb6rg@example.org>");
  ASSERT_TRUE(boxes.ok());
  EXPECT_EQ((*boxes)[0].display_name, "J\xc3\xb6rg");
}

TEST(HeaderAddress, EmptyFieldIsAnEmptyList) {
  auto list = parse_address_list("  ");
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
}

TEST(HeaderAddress, MalformedInputIsRefused) {
  for (auto bad : {"John Smith", "John Smith@example.org", "<a@b.example", "a@", "@b.example",
                   "\"unterminated@b.example", "(open comment a@b.example", "a@b.example)",
                   "a@[1.2.3.4", "<>", "a@b.example b@c.example", "x@y..z", "a\x01@b.example"})
    EXPECT_FALSE(parse_address_list(bad).ok()) << bad;
}

TEST(HeaderAddress, LimitsOnLengthCountAndNesting) {
  EXPECT_FALSE(parse_address_list(std::string(kMaxAddressFieldLength + 1, 'a')).ok());
  std::string many;
  for (size_t i = 0; i <= kMaxHeaderAddresses; ++i) many += "a@b.c,";
  EXPECT_FALSE(parse_address_list(many).ok());
  std::string deep =
      std::string(kMaxCommentDepth + 1, '(') + std::string(kMaxCommentDepth + 1, ')');
  EXPECT_FALSE(parse_address_list(deep + "a@b.example").ok());
  std::string fine = std::string(kMaxCommentDepth, '(') + std::string(kMaxCommentDepth, ')');
  EXPECT_TRUE(parse_address_list(fine + "a@b.example").ok());
}

}  // namespace
}  // namespace gm::mail
