#include "mail/smtp_command.hpp"

#include <gtest/gtest.h>

namespace gm::mail {
namespace {

SmtpReply refusal(std::string_view line, SmtpState state) {
  auto d = dispatch_command(line, state);
  EXPECT_TRUE(std::holds_alternative<SmtpReply>(d)) << line;
  return std::holds_alternative<SmtpReply>(d) ? std::get<SmtpReply>(d) : SmtpReply{};
}

SmtpVerb verb(std::string_view line, SmtpState state) {
  auto d = dispatch_command(line, state);
  EXPECT_TRUE(std::holds_alternative<SmtpCommand>(d)) << line;
  return std::holds_alternative<SmtpCommand>(d) ? std::get<SmtpCommand>(d).spec->verb
                                                : SmtpVerb::kNoop;
}

TEST(SmtpCommand, VerbsAreCaseInsensitive) {
  EXPECT_EQ(verb("ehlo client.test", SmtpState::kGreeted), SmtpVerb::kEhlo);
  EXPECT_EQ(verb("mAiL FROM:<a@b>", SmtpState::kReady), SmtpVerb::kMail);
}

TEST(SmtpCommand, Unknown_500_5_5_1) {
  SmtpReply r = refusal("FOO", SmtpState::kReady);
  EXPECT_EQ(r.code, 500);
  EXPECT_EQ(r.enhanced, "5.5.1");
}

TEST(SmtpCommand, MailBeforeEhlo_503) {
  SmtpReply r = refusal("MAIL FROM:<a@b>", SmtpState::kGreeted);
  EXPECT_EQ(r.code, 503);
  EXPECT_EQ(r.enhanced, "5.5.1");
}

TEST(SmtpCommand, RcptBeforeMail_503) {
  EXPECT_EQ(refusal("RCPT TO:<a@b>", SmtpState::kReady).code, 503);
}

TEST(SmtpCommand, NestedMail_503) {
  EXPECT_EQ(refusal("MAIL FROM:<a@b>", SmtpState::kRcptTo).code, 503);
}

TEST(SmtpCommand, DataWithoutRecipients_554) {
  SmtpReply r = refusal("DATA", SmtpState::kMailFrom);
  EXPECT_EQ(r.code, 554);
  EXPECT_EQ(refusal("DATA", SmtpState::kReady).code, 503);
  EXPECT_EQ(verb("DATA", SmtpState::kRcptTo), SmtpVerb::kData);
}

TEST(SmtpCommand, ArgumentRules_501) {
  EXPECT_EQ(refusal("EHLO", SmtpState::kGreeted).code, 501);
  EXPECT_EQ(refusal("DATA now", SmtpState::kRcptTo).code, 501);
  EXPECT_EQ(refusal("QUIT please", SmtpState::kReady).code, 501);
  EXPECT_EQ(verb("NOOP anything", SmtpState::kReady), SmtpVerb::kNoop);
  EXPECT_EQ(verb("QUIT  ", SmtpState::kReady), SmtpVerb::kQuit);
}

TEST(SmtpCommand, StartTlsAndAuthNotInATransaction) {
  EXPECT_EQ(refusal("STARTTLS", SmtpState::kMailFrom).code, 503);
  EXPECT_EQ(refusal("AUTH PLAIN", SmtpState::kRcptTo).code, 503);
}

TEST(SmtpCommand, NoCommandsWhileBusyOrBeforeTheGreeting) {
  EXPECT_EQ(refusal("NOOP", SmtpState::kBusy).code, 503);
  EXPECT_EQ(refusal("QUIT", SmtpState::kGreetPause).code, 503);
}

TEST(SmtpCommand, NulIsASyntaxError) {
  EXPECT_EQ(refusal(std::string_view("NOOP\0x", 6), SmtpState::kReady).code, 500);
}

TEST(SmtpCommand, BdatArgument) {
  auto a = parse_bdat_argument("100 LAST");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->size, 100u);
  EXPECT_TRUE(a->last);
  EXPECT_TRUE(parse_bdat_argument("0 last"));
  EXPECT_FALSE(parse_bdat_argument("-1"));
  EXPECT_FALSE(parse_bdat_argument("10 MORE"));
  EXPECT_FALSE(parse_bdat_argument("99999999999999999999999"));
  EXPECT_FALSE(parse_bdat_argument("12x"));
  EXPECT_FALSE(parse_bdat_argument(""));
}

TEST(SmtpCommand, EveryVerbHasOneRow) {
  for (const SmtpCommandSpec& spec : kSmtpCommands) EXPECT_EQ(&command_spec(spec.verb), &spec);
}

}  // namespace
}  // namespace gm::mail
