#include <gtest/gtest.h>

#include <random>

#include "backoff.hpp"
#include "dsn.hpp"
#include "lmtp_client.hpp"
#include "message_delivery.hpp"

namespace gm::qmgr {
namespace {

using std::chrono::seconds;

TEST(Backoff, DoublesFromMinimalUpToMaximal) {
  BackoffPolicy p{seconds(300), seconds(4000)};
  EXPECT_EQ(retry_delay(p, 0), seconds(300));
  EXPECT_EQ(retry_delay(p, 1), seconds(300));
  EXPECT_EQ(retry_delay(p, 2), seconds(600));
  EXPECT_EQ(retry_delay(p, 3), seconds(1200));
  EXPECT_EQ(retry_delay(p, 4), seconds(2400));
  EXPECT_EQ(retry_delay(p, 5), seconds(4000));
  EXPECT_EQ(retry_delay(p, 1000000), seconds(4000));
  EXPECT_EQ(retry_delay({seconds(10), seconds(5)}, 3), seconds(10));  // max below min
}

LmtpReply parse(std::initializer_list<std::string_view> lines) {
  LmtpReplyParser parser;
  for (auto line : lines) EXPECT_TRUE(parser.feed(line).ok()) << line;
  EXPECT_TRUE(parser.done());
  return parser.reply();
}

TEST(LmtpReply, ParsesSingleAndMultiLine) {
  auto r = parse({"452 4.2.2 Mailbox full"});
  EXPECT_EQ(r.code, 452);
  EXPECT_EQ(r.enhanced, "4.2.2");
  EXPECT_EQ(r.text, "Mailbox full");
  EXPECT_EQ(r.summary(), "452 4.2.2 Mailbox full");
  auto m = parse({"250-mail.example", "250-PIPELINING", "250 ENHANCEDSTATUSCODES"});
  EXPECT_EQ(m.code, 250);
  EXPECT_EQ(m.enhanced, "");
  EXPECT_EQ(m.text, "mail.example; PIPELINING; ENHANCEDSTATUSCODES");
  EXPECT_EQ(parse({"354"}).code, 354);
  EXPECT_EQ(parse({"550 5.1.1"}).enhanced, "5.1.1");
  EXPECT_EQ(parse({"250 2.0.0x text"}).enhanced, "");  // not an enhanced code
}

TEST(LmtpReply, RejectsMalformed) {
  for (std::string_view bad : {"", "25", "abc", "250x", "650 nope", "099 x", "2500 x"}) {
    LmtpReplyParser p;
    EXPECT_FALSE(p.feed(bad).ok()) << bad;
  }
  LmtpReplyParser changed;
  EXPECT_TRUE(changed.feed("250-a").ok());
  EXPECT_FALSE(changed.feed("251 b").ok());
  LmtpReplyParser endless;
  Status s;
  for (size_t i = 0; i <= kMaxLmtpReplyLines && s.ok(); ++i) s = endless.feed("250-x");
  EXPECT_FALSE(s.ok());
}

TEST(DotStuffer, DoublesLeadingDotsAcrossChunks) {
  DotStuffer d;
  std::string out = d.stuff(".a\r\nb\r");
  out += d.stuff("\n.");
  out += d.stuff("c\r\n");
  EXPECT_EQ(out, "..a\r\nb\r\n..c\r\n");
  EXPECT_EQ(d.finish(), ".\r\n");
  DotStuffer open;
  EXPECT_EQ(open.stuff("no end"), "no end");
  EXPECT_EQ(open.finish(), "\r\n.\r\n");
  DotStuffer bare;
  EXPECT_EQ(bare.stuff("a\n.b"), "a\n.b");  // only CRLF starts a line on the wire
}

// The byte-at-a-time definition: a '.' after CRLF (or at the start) is doubled.
std::string stuff_reference(std::string_view all) {
  std::string out;
  bool line_start = true, after_cr = false;
  for (char c : all) {
    if (line_start && c == '.') out += '.';
    out += c;
    line_start = after_cr && c == '\n';
    after_cr = c == '\r';
  }
  return out;
}

TEST(DotStuffer, MatchesTheByteAtATimeDefinitionForAnySplit) {
  std::mt19937 random(7);
  const std::string alphabet = ".\r\na";
  for (int round = 0; round < 2000; ++round) {
    std::string all;
    size_t n = random() % 40;
    for (size_t i = 0; i < n; ++i) all += alphabet[random() % alphabet.size()];
    DotStuffer d;
    std::string out;
    for (size_t i = 0; i < all.size();) {
      size_t take = 1 + random() % 6;
      out += d.stuff(std::string_view(all).substr(i, take));
      i += take;
    }
    ASSERT_EQ(out, stuff_reference(all)) << "input: " << all;
  }
}

TEST(Dsn, StatusFromReply) {
  EXPECT_EQ(status_of_reply("550 5.1.1 User unknown"), "5.1.1");
  EXPECT_EQ(status_of_reply("452 4.2.2 Mailbox full"), "4.2.2");
  EXPECT_EQ(status_of_reply("550 User unknown"), "5.0.0");
  EXPECT_EQ(status_of_reply("451 5.1.1 mismatched class"), "4.0.0");
  EXPECT_EQ(status_of_reply(""), "4.0.0");
}

TEST(Dsn, ComposesAMultipartReport) {
  DsnInput in;
  in.reporting_mta = "mail.example";
  in.queue_id = "Q1";
  in.envid = "env-1";
  in.original_sender = "bob@example";
  in.arrival_time = 0;
  in.now = 86400;
  in.boundary = "Q1.86400";
  in.recipients = {{"a@example", "rfc822;A@example", false, "5.1.1", "550 5.1.1 User unknown"}};
  DsnParts parts = compose_dsn(in);
  const std::string& h = parts.head;
  EXPECT_NE(h.find("To: <bob@example>\r\n"), std::string::npos);
  EXPECT_NE(h.find("Content-Type: multipart/report; report-type=delivery-status;"),
            std::string::npos);
  EXPECT_NE(h.find("boundary=\"Q1.86400/mail.example\""), std::string::npos);
  EXPECT_NE(h.find("Reporting-MTA: dns; mail.example\r\n"), std::string::npos);
  EXPECT_NE(h.find("Original-Envelope-Id: env-1\r\n"), std::string::npos);
  EXPECT_NE(h.find("Arrival-Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"), std::string::npos);
  EXPECT_NE(h.find("Original-Recipient: rfc822;A@example\r\n"), std::string::npos);
  EXPECT_NE(h.find("Final-Recipient: rfc822; a@example\r\nAction: failed\r\nStatus: 5.1.1\r\n"),
            std::string::npos);
  EXPECT_NE(h.find("Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n"), std::string::npos);
  EXPECT_TRUE(h.ends_with("Content-Type: message/rfc822\r\n\r\n"));
  EXPECT_EQ(parts.tail, "\r\n--Q1.86400/mail.example--\r\n");
  in.headers_only = true;
  EXPECT_TRUE(compose_dsn(in).head.ends_with("Content-Type: text/rfc822-headers\r\n\r\n"));
}

TEST(Dsn, FieldsCannotInjectHeaders) {
  DsnInput in;
  in.reporting_mta = "m";
  in.original_sender = "bob@x\r\nBcc: victim@y";
  in.recipients = {{"a@x\r\nX: y", "", false, "5.0.0", "550 bad\r\nInjected: 1"}};
  std::string h = compose_dsn(in).head;
  EXPECT_EQ(h.find("\r\nBcc:"), std::string::npos);
  EXPECT_EQ(h.find("\r\nInjected:"), std::string::npos);
  EXPECT_EQ(h.find("\r\nX: y"), std::string::npos);
}

TEST(Dsn, SuccessReport) {
  DsnInput in;
  in.reporting_mta = "m";
  in.original_sender = "b@x";
  in.recipients = {{"a@x", "", true, "2.0.0", "250 2.0.0 Ok"}};
  std::string h = compose_dsn(in).head;
  EXPECT_NE(h.find("Successful Mail Delivery Report"), std::string::npos);
  EXPECT_NE(h.find("Action: delivered"), std::string::npos);
}

TEST(Qmgr, CountsReceivedHeadersOnly) {
  EXPECT_EQ(
      count_received("Received: a\r\nreceived: b\r\n c\r\nX-Received: d\r\n\r\nReceived: e\r\n"),
      2u);
  EXPECT_EQ(count_received(""), 0u);
}

}  // namespace
}  // namespace gm::qmgr
