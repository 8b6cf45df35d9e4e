#include "mail/queue_listing.hpp"

#include <gtest/gtest.h>

namespace gm::mail {
namespace {

QueueListing sample() {
  QueueListing entry;
  entry.queue = "deferred";
  entry.id = "08DqT32X9q01nc000";
  entry.size = 4321;
  entry.envelope.arrival_micros = 1764000000123456;
  entry.envelope.sender = "";  // the null sender: an empty field survives
  entry.envelope.client = {"192.0.2.7", "client.example", "helo", "ESMTPSA"};
  entry.envelope.auth_user = "secret-login";
  QueueRecipient waiting;
  waiting.address = "a b%c@example.test";
  waiting.last_reply = "450 4.4.0 try\r\nlater";
  QueueRecipient done;
  done.address = "delivered@example.test";
  done.state = RecipientState::kDelivered;
  entry.envelope.recipients = {waiting, done};
  return entry;
}

TEST(QueueListingLine, RoundTripsWhatMailqShowsAndNothingElse) {
  std::string line = encode_listing_line(sample());
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line.find("192.0.2.7"), std::string::npos);
  EXPECT_EQ(line.find("secret-login"), std::string::npos);
  EXPECT_EQ(line.find("delivered@"), std::string::npos);  // only pending recipients
  auto back = decode_listing_line(line);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->queue, "deferred");
  EXPECT_EQ(back->id, "08DqT32X9q01nc000");
  EXPECT_EQ(back->size, 4321u);
  EXPECT_EQ(back->envelope.arrival_micros, 1764000000123456u);
  EXPECT_EQ(back->envelope.sender, "");
  EXPECT_EQ(back->error, "");
  ASSERT_EQ(back->envelope.recipients.size(), 1u);
  EXPECT_EQ(back->envelope.recipients[0].address, "a b%c@example.test");
  EXPECT_EQ(back->envelope.recipients[0].last_reply, "450 4.4.0 try\r\nlater");
}

TEST(QueueListingLine, RejectsMalformedLines) {
  for (std::string_view bad : {"", "=a =b", "=a =b =x =1 =s =e", "=a =b =1 =1 =s =e =r",
                               "a b c d e f", "=a =b =1 =1 =s =%zz"})
    EXPECT_FALSE(decode_listing_line(bad).ok()) << bad;
}

}  // namespace
}  // namespace gm::mail
