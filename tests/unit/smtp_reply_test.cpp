#include "mail/smtp_reply.hpp"

#include <gtest/gtest.h>

namespace gm::mail {
namespace {

TEST(SmtpReply, SingleLineWithEnhancedCode) {
  EXPECT_EQ(format_reply(relay_denied()), "554 5.7.1 Relay access denied\r\n");
  EXPECT_EQ(format_reply(line_too_long()), "500 5.5.2 Line too long\r\n");
  EXPECT_EQ(format_reply(must_starttls()), "530 5.7.0 Must issue a STARTTLS command first\r\n");
  EXPECT_EQ(format_reply(need_auth()), "530 5.7.0 Authentication required\r\n");
}

TEST(SmtpReply, NamedRepliesCarryTheRightCodes) {
  struct Case {
    SmtpReply reply;
    int code;
    std::string_view enhanced;
  };
  for (const auto& c :
       {Case{bad_sequence(), 503, "5.5.1"}, Case{message_too_big(), 552, "5.3.4"},
        Case{too_many_recipients(), 452, "4.5.3"}, Case{insufficient_storage(), 452, "4.3.1"},
        Case{over_quota(), 452, "4.2.2"}, Case{service_unavailable(), 421, "4.3.2"},
        Case{auth_ok(), 235, "2.7.0"}, Case{auth_failed(), 535, "5.7.8"},
        Case{sender_not_owned(), 553, "5.7.1"}, Case{unknown_user(), 550, "5.1.1"},
        Case{syntax_error(), 500, "5.5.2"}}) {
    EXPECT_EQ(c.reply.code, c.code) << c.reply.text;
    EXPECT_EQ(c.reply.enhanced, c.enhanced) << c.reply.text;
  }
  EXPECT_TRUE(over_quota().transient());
  EXPECT_TRUE(relay_denied().permanent());
  EXPECT_TRUE(queued("X").positive());
}

TEST(SmtpReply, MultiLineUsesHyphenContinuation) {
  auto reply = ehlo("mx.example.org", {"PIPELINING", "SIZE 10240000", "8BITMIME"});
  EXPECT_EQ(format_reply(reply),
            "250-mx.example.org\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 8BITMIME\r\n");
  EXPECT_EQ(format_reply(ok("2.0.0", "one\ntwo")), "250-2.0.0 one\r\n250 2.0.0 two\r\n");
}

TEST(SmtpReply, GreetingHasNoEnhancedCode) {
  EXPECT_EQ(format_reply(greeting("mx.example.org", "ESMTP ready")),
            "220 mx.example.org ESMTP ready\r\n");
}

TEST(SmtpReply, ControlBytesCannotInjectLines) {
  auto reply = transaction_failed("bad\r250 2.0.0 fake");
  EXPECT_EQ(format_reply(reply), "554 5.0.0 bad?250 2.0.0 fake\r\n");
}

TEST(SmtpReply, LongLinesAreCutTo512Octets) {
  auto text = format_reply(transaction_failed(std::string(2000, 'x')));
  EXPECT_EQ(text.size(), kMaxReplyLine);
  EXPECT_EQ(text.substr(text.size() - 2), "\r\n");
}

TEST(SmtpReply, ErrorsFromParsersBecomeReplies) {
  auto reply = reply_from_error(make_error("5.1.3 Bad recipient address syntax", 501));
  EXPECT_EQ(reply_summary(reply), "501 5.1.3 Bad recipient address syntax");
  auto plain = reply_from_error(make_error("disk trouble", 452));
  EXPECT_EQ(reply_summary(plain), "452 4.0.0 disk trouble");
  auto no_code = reply_from_error(make_error("oops"));
  EXPECT_EQ(no_code.code, 451);
  auto round = reply_from_error(reply_error(over_quota()));
  EXPECT_EQ(reply_summary(round), "452 4.2.2 Mailbox full");
}

}  // namespace
}  // namespace gm::mail
