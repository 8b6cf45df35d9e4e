// Maildir file names: delivery time (for UID order) and the info part.
#include "mail/mailbox_filename.hpp"

#include <gtest/gtest.h>

#include "mail/mailbox_folder.hpp"

namespace gm::mail {

TEST(MaildirName, DeliveryTimeOrdersMicrosecondsNumerically) {
  // As text "M100" < "M99"; as delivered, 99 us came first.
  auto early = maildir_delivery_time("1700000000.M99P12Q1.host,S=10:2,S");
  auto late = maildir_delivery_time("1700000000.M100P12Q2.host,S=10");
  ASSERT_TRUE(early && late);
  EXPECT_EQ(early->seconds, 1700000000);
  EXPECT_EQ(early->microseconds, 99);
  EXPECT_LT(*early, *late);
  EXPECT_LT(*late, *maildir_delivery_time("1700000001.M1P1Q1.host"));
}

TEST(MaildirName, DeliveryTimeOfOtherNames) {
  EXPECT_EQ(maildir_delivery_time("1700000000.12345_1.host")->microseconds, 0);  // no M field
  EXPECT_FALSE(maildir_delivery_time("msg.1.host"));
  EXPECT_FALSE(maildir_delivery_time("nodot"));
  EXPECT_FALSE(maildir_delivery_time(".M5"));
}

TEST(MaildirName, ParseKeepsFlagsKeywordsAndSize) {
  MaildirName name = parse_maildir_name("1700000000.M1P1Q1.host,S=120:2,FSac");
  EXPECT_EQ(name.basename, "1700000000.M1P1Q1.host,S=120");
  EXPECT_EQ(name.flags, kFlagged | kSeen);
  EXPECT_EQ(name.keyword_bits, 0b101u);
  EXPECT_EQ(name.size, 120u);
}

}  // namespace gm::mail
