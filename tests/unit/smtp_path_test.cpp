#include "mail/smtp_path.hpp"

#include <gtest/gtest.h>

#include "mail/smtp_reply.hpp"

namespace gm::mail {
namespace {

const PathOptions kAscii{};
const PathOptions kUtf8Transaction{.smtputf8 = true};
const PathOptions kUtf8Offered{.smtputf8_offered = true};

std::string reply_of(const Error& error) {
  return reply_summary(reply_from_error(error));
}

TEST(MailFrom, ParsesPlainAddressAndParameters) {
  auto mail = parse_mail_from("FROM:<alice@example.org> SIZE=1000 body=8bitmime", kAscii);
  ASSERT_TRUE(mail.ok()) << mail.error().message;
  EXPECT_EQ(mail->path.mailbox.local_part, "alice");
  EXPECT_EQ(mail->path.mailbox.domain, "example.org");
  EXPECT_FALSE(mail->path.null);
  EXPECT_FALSE(mail->path.tricks.any());
  ASSERT_EQ(mail->params.list.size(), 2u);
  EXPECT_EQ(mail->params.find("SIZE")->value, "1000");
  EXPECT_EQ(mail->params.find("BODY")->value, "8bitmime");  // keyword folded, value kept
}

TEST(MailFrom, AcceptsNullSenderAndCaseInsensitiveVerb) {
  auto mail = parse_mail_from("from:<>", kAscii);
  ASSERT_TRUE(mail.ok());
  EXPECT_TRUE(mail->path.null);
}

TEST(MailFrom, ToleratesSpaceAfterColon) {
  EXPECT_TRUE(parse_mail_from("FROM: <a@b.example>", kAscii).ok());
}

TEST(MailFrom, RejectsMissingBracketsAndJunk) {
  for (auto bad : {"FROM:a@b.example",
                   "FROM:<a@b.example",
                   "FROM<a@b.example>",
                   "TO:<a@b.c>",
                   "FROM:<a@b.example>SIZE=1",
                   "FROM:<a@@b.example>",
                   "FROM:<@>",
                   "FROM:<a@>",
                   "FROM:<.a@b.example>",
                   "FROM:<a..b@b.example>",
                   "FROM:<a.@b.example>",
                   "FROM:<a@-b.example>",
                   "FROM:<a@b-.example>",
                   "FROM:<a@b..example>",
                   "FROM:<a@b.example.>",
                   "FROM:<a b@c.example>",
                   "FROM:<a@b_c.example>",
                   "FROM:<\"unterminated@b.example>",
                   "FROM:<a@[1.2.3]>",
                   "FROM:<a@[IPv6:zz]>",
                   "FROM:<a@[tag:foo]>",
                   "FROM:<a\x01@b.example>"}) {
    auto mail = parse_mail_from(bad, kAscii);
    EXPECT_FALSE(mail.ok()) << bad;
    if (!mail.ok()) {
      EXPECT_EQ(mail.error().code, 501) << bad;
    }
  }
}

TEST(MailFrom, SyntaxErrorsUseSenderEnhancedCode) {
  auto mail = parse_mail_from("FROM:<a@@b>", kAscii);
  ASSERT_FALSE(mail.ok());
  EXPECT_EQ(reply_from_error(mail.error()).enhanced, "5.1.7");
}

TEST(RcptTo, ParsesAddressAndDsnParameters) {
  auto rcpt = parse_rcpt_to(
      "TO:<bob@example.net> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob+2Bx@example.net", kAscii);
  ASSERT_TRUE(rcpt.ok()) << rcpt.error().message;
  EXPECT_EQ(rcpt->path.mailbox.address(), "bob@example.net");
  EXPECT_EQ(rcpt->params.find("ORCPT")->value, "rfc822;bob+x@example.net");  // xtext decoded
  auto dsn = interpret_rcpt_params(rcpt->params, OfferedExtensions{});
  ASSERT_TRUE(dsn.ok());
  EXPECT_EQ(dsn->notify, kNotifySuccess | kNotifyFailure);
}

TEST(RcptTo, RefusesNullPathButAcceptsBarePostmaster) {
  auto null = parse_rcpt_to("TO:<>", kAscii);
  ASSERT_FALSE(null.ok());
  EXPECT_EQ(reply_of(null.error()).substr(0, 9), "501 5.1.3");
  auto postmaster = parse_rcpt_to("TO:<Postmaster>", kAscii);
  ASSERT_TRUE(postmaster.ok());
  EXPECT_TRUE(postmaster->path.postmaster);
  EXPECT_FALSE(parse_rcpt_to("TO:<someone>", kAscii).ok());
}

TEST(RcptTo, FlagsSourceRoute) {
  auto rcpt = parse_rcpt_to("TO:<@relay.example,@other.example:user@victim.example>", kAscii);
  ASSERT_TRUE(rcpt.ok()) << rcpt.error().message;
  EXPECT_TRUE(rcpt->path.tricks.source_route);
  EXPECT_EQ(rcpt->path.source_route.size(), 2u);
  EXPECT_EQ(rcpt->path.mailbox.address(), "user@victim.example");
  EXPECT_FALSE(parse_rcpt_to("TO:<@:user@victim.example>", kAscii).ok());
  EXPECT_FALSE(parse_rcpt_to("TO:<@a.example,,@b.example:u@c.example>", kAscii).ok());
}

TEST(RcptTo, FlagsPercentHack) {
  auto rcpt = parse_rcpt_to("TO:<user%victim.example@local.example>", kAscii);
  ASSERT_TRUE(rcpt.ok());
  EXPECT_TRUE(rcpt->path.tricks.percent_hack);
  EXPECT_TRUE(rcpt->path.tricks.any());
}

TEST(RcptTo, FlagsBangPath) {
  auto rcpt = parse_rcpt_to("TO:<victim.example!user@local.example>", kAscii);
  ASSERT_TRUE(rcpt.ok());
  EXPECT_TRUE(rcpt->path.tricks.bang_path);
}

TEST(RcptTo, FlagsQuotedLocalPartHoldingRoutingCharacters) {
  for (auto arg :
       {"TO:<\"user@victim.example\"@local.example>", "TO:<\"user%victim.example\"@local.example>",
        "TO:<\"victim!user\"@local.example>"}) {
    auto rcpt = parse_rcpt_to(arg, kAscii);
    ASSERT_TRUE(rcpt.ok()) << arg;
    EXPECT_TRUE(rcpt->path.tricks.quoted_special) << arg;
  }
  auto plain = parse_rcpt_to("TO:<\"john smith\"@local.example>", kAscii);
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->path.tricks.any());
  EXPECT_EQ(unquoted_local_part(plain->path.mailbox.local_part), "john smith");
}

TEST(RcptTo, QuotedLocalPartMayHoldAngleBracket) {
  auto rcpt = parse_rcpt_to("TO:<\"a>b\"@local.example> NOTIFY=NEVER", kAscii);
  ASSERT_TRUE(rcpt.ok()) << rcpt.error().message;
  EXPECT_EQ(rcpt->path.mailbox.local_part, "\"a>b\"");
}

TEST(RcptTo, FlagsAddressLiterals) {
  for (auto arg : {"TO:<user@[192.0.2.1]>", "TO:<user@[IPv6:2001:db8::1]>"}) {
    auto rcpt = parse_rcpt_to(arg, kAscii);
    ASSERT_TRUE(rcpt.ok()) << arg;
    EXPECT_TRUE(rcpt->path.tricks.address_literal) << arg;
    EXPECT_TRUE(rcpt->path.mailbox.domain_is_literal());
  }
}

TEST(PathLimits, LocalPartOf64OctetsIsAcceptedAnd65Refused) {
  std::string ok(64, 'a'), too_long(65, 'a');
  EXPECT_TRUE(parse_rcpt_to("TO:<" + ok + "@example.org>", kAscii).ok());
  auto rcpt = parse_rcpt_to("TO:<" + too_long + "@example.org>", kAscii);
  ASSERT_FALSE(rcpt.ok());
  EXPECT_EQ(reply_of(rcpt.error()).substr(0, 9), "501 5.1.3");
}

TEST(PathLimits, PathLongerThan256OctetsIsRefused) {
  std::string domain;
  for (int i = 0; i < 4; ++i) domain += std::string(60, 'd') + ".";
  domain += "org";                                                           // 247 octets
  EXPECT_FALSE(parse_rcpt_to("TO:<abcdefgh@" + domain + ">", kAscii).ok());  // 258 with <>
  EXPECT_TRUE(parse_rcpt_to("TO:<abcdef@" + domain + ">", kAscii).ok());     // 256
}

TEST(PathLimits, LabelsLongerThan63OctetsAreRefused) {
  EXPECT_TRUE(parse_rcpt_to("TO:<a@" + std::string(63, 'x') + ".org>", kAscii).ok());
  EXPECT_FALSE(parse_rcpt_to("TO:<a@" + std::string(64, 'x') + ".org>", kAscii).ok());
}

TEST(Smtputf8, NonAsciiIsRefusedWithoutSmtputf8) {
  auto rcpt = parse_rcpt_to("TO:<j\xc3\xb6rg@example.org>", kAscii);
  ASSERT_FALSE(rcpt.ok());
  EXPECT_EQ(reply_of(rcpt.error()).substr(0, 9), "553 5.6.7");
  EXPECT_FALSE(parse_mail_from("FROM:<j\xc3\xb6rg@example.org>", kUtf8Offered).ok());
}

TEST(Smtputf8, AcceptedWhenTheTransactionHasIt) {
  auto rcpt = parse_rcpt_to(
      "TO:<j\xc3\xb6rg@b\xc3\xbc"
      "cher.example>",
      kUtf8Transaction);
  ASSERT_TRUE(rcpt.ok()) << rcpt.error().message;
  EXPECT_TRUE(rcpt->path.mailbox.has_non_ascii());
  auto mail = parse_mail_from("FROM:<j\xc3\xb6rg@example.org> SMTPUTF8", kUtf8Offered);
  ASSERT_TRUE(mail.ok()) << mail.error().message;
}

TEST(Smtputf8, MalformedUtf8IsRefusedEvenWithSmtputf8) {
  for (auto bad : {"TO:<\xc3@example.org>", "TO:<\xc0\xaf@example.org>",
                   "TO:<\xed\xa0\x80@example.org>", "TO:<a@\xff.example>"})
    EXPECT_FALSE(parse_rcpt_to(bad, kUtf8Transaction).ok()) << bad;
}

TEST(Smtputf8, LocalPartLimitCountsOctets) {
  std::string local;
  for (int i = 0; i < 33; ++i) local += "\xc3\xa9";  // 33 characters, 66 octets
  EXPECT_FALSE(parse_rcpt_to("TO:<" + local + "@example.org>", kUtf8Transaction).ok());
}

TEST(EsmtpParams, RejectsDuplicatesBadKeywordsAndTooMany) {
  EXPECT_FALSE(parse_mail_from("FROM:<a@b.example> SIZE=1 size=2", kAscii).ok());
  EXPECT_FALSE(parse_mail_from("FROM:<a@b.example> -X=1", kAscii).ok());
  EXPECT_FALSE(parse_mail_from("FROM:<a@b.example> X=", kAscii).ok());
  EXPECT_FALSE(parse_mail_from("FROM:<a@b.example> X=a=b", kAscii).ok());
  std::string many = "FROM:<a@b.example>";
  for (int i = 0; i < 11; ++i) many += " X" + std::to_string(i) + "=1";
  EXPECT_FALSE(parse_mail_from(many, kAscii).ok());
  EXPECT_FALSE(parse_mail_from("FROM:<a@b.example> X=" + std::string(700, 'v'), kAscii).ok());
}

TEST(EsmtpParams, XtextRoundTripsAndRejectsBadHex) {
  EXPECT_EQ(*xtext_decode("a+2Bb+3Dc"), "a+b=c");
  EXPECT_EQ(xtext_encode("a+b=c d"), "a+2Bb+3Dc+20d");
  EXPECT_EQ(*xtext_decode(xtext_encode("x y+z")), "x y+z");
  for (auto bad : {"+", "+2", "+2b", "+GG", "a=b", "+0D"})
    EXPECT_FALSE(xtext_decode(bad).ok()) << bad;
}

TEST(EsmtpParams, InterpretsMailParameters) {
  auto mail =
      parse_mail_from("FROM:<a@b.example> SIZE=4096 BODY=8BITMIME RET=HDRS ENVID=QQ+2B1", kAscii);
  ASSERT_TRUE(mail.ok()) << mail.error().message;
  auto p = interpret_mail_params(mail->params, OfferedExtensions{});
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(*p->size, 4096u);
  EXPECT_EQ(p->body, BodyType::k8BitMime);
  EXPECT_EQ(p->ret, DsnRet::kHeaders);
  EXPECT_EQ(p->envid, "QQ+1");
}

TEST(EsmtpParams, UnofferedOrUnknownParametersGet555) {
  auto mail = parse_mail_from("FROM:<a@b.example> XFOO=1", kAscii);
  ASSERT_TRUE(mail.ok());
  auto p = interpret_mail_params(mail->params, OfferedExtensions{});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(reply_of(p.error()).substr(0, 9), "555 5.5.4");
  auto auth = parse_mail_from("FROM:<a@b.example> AUTH=<>", kAscii);
  ASSERT_TRUE(auth.ok());
  EXPECT_FALSE(interpret_mail_params(auth->params, OfferedExtensions{}).ok());  // port 25
  EXPECT_TRUE(interpret_mail_params(auth->params, OfferedExtensions{.auth = true}).ok());
  auto binary = parse_mail_from("FROM:<a@b.example> BODY=BINARYMIME", kAscii);
  EXPECT_FALSE(interpret_mail_params(binary->params, OfferedExtensions{}).ok());
}

TEST(EsmtpParams, NotifyNeverMustStandAlone) {
  EXPECT_EQ(*parse_notify("never"), kNotifyNever);
  EXPECT_FALSE(parse_notify("NEVER,SUCCESS").ok());
  EXPECT_FALSE(parse_notify("").ok());
  EXPECT_FALSE(parse_notify("SOMETIMES").ok());
  EXPECT_EQ(notify_to_string(kNotifyDelay | kNotifySuccess), "SUCCESS,DELAY");
}

TEST(ParseMailbox, BareMailboxForToolsAndAliases) {
  auto mailbox = parse_mailbox("root@example.org", false);
  ASSERT_TRUE(mailbox.ok());
  EXPECT_EQ(mailbox->domain, "example.org");
  EXPECT_FALSE(parse_mailbox("<root@example.org>", false).ok());
  EXPECT_FALSE(parse_mailbox("root", false).ok());
}

}  // namespace
}  // namespace gm::mail
