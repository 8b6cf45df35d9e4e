#include <gtest/gtest.h>

#include "mail/mutf7.hpp"

namespace gm::mail {
namespace {

TEST(ImapMutf7, Rfc3501Example) {
  // RFC 3501 5.1.3: "~peter/mail/台北/日本語"
  std::string utf8 = "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e";
  auto enc = utf8_to_mutf7(utf8);
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(*enc, "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
  auto dec = mutf7_to_utf8(*enc);
  ASSERT_TRUE(dec.ok());
  EXPECT_EQ(*dec, utf8);
}

TEST(ImapMutf7, AmpersandAndAstralPlane) {
  EXPECT_EQ(*utf8_to_mutf7("A&B"), "A&-B");
  EXPECT_EQ(*mutf7_to_utf8("A&-B"), "A&B");
  std::string emoji = "\xf0\x9f\x98\x80";  // U+1F600: a surrogate pair
  auto enc = utf8_to_mutf7(emoji);
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(*mutf7_to_utf8(*enc), emoji);
  EXPECT_EQ(*utf8_to_mutf7("Entw\xc3\xbcrfe"), "Entw&APw-rfe");
}

TEST(ImapMutf7, EightBitOctetInRev1NameIsRefused) {
  EXPECT_FALSE(mutf7_to_utf8("Entw\xc3\xbcrfe").ok());
  EXPECT_FALSE(mailbox_name_from_wire("Entw\xc3\xbcrfe", false).ok());
  auto utf8 = mailbox_name_from_wire("Entw\xc3\xbcrfe", true);
  ASSERT_TRUE(utf8.ok());
  EXPECT_EQ(*utf8, "Entw\xc3\xbcrfe");
}

TEST(ImapMutf7, NonCanonicalAndBrokenFormsAreRefused) {
  for (std::string_view bad : {
           "&",           // unterminated
           "&APw",        // unterminated
           "&AGE-",       // encodes 'a', printable ASCII
           "&AAA-",       // U+0000
           "&APw-&APw-",  // two sections where one would do
           "&APx-",       // non-zero pad bits
           "&A-",         // too short for one unit
           "&2D0-",       // lone high surrogate
           "&3gA-",       // lone low surrogate
           "&AP/-",       // '/' is not in the modified alphabet
           "a\tb",        // control character
       }) {
    EXPECT_FALSE(mutf7_to_utf8(bad).ok()) << bad;
  }
}

TEST(ImapMutf7, InvalidUtf8Refused) {
  for (std::string_view bad :
       {"\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82", "\xff"}) {
    EXPECT_FALSE(utf8_to_mutf7(bad).ok());
    EXPECT_FALSE(mailbox_name_from_wire(bad, true).ok());
  }
  EXPECT_FALSE(mailbox_name_from_wire("a\rb", true).ok());
}

TEST(ImapMutf7, WireRoundTrip) {
  std::string name = "Gel\xc3\xb6scht/&Co";
  std::string wire = mailbox_name_to_wire(name, false);
  EXPECT_EQ(wire, "Gel&APY-scht/&-Co");
  EXPECT_EQ(*mailbox_name_from_wire(wire, false), name);
  EXPECT_EQ(mailbox_name_to_wire(name, true), name);
}

}  // namespace
}  // namespace gm::mail
