#include <gtest/gtest.h>

#include "lmtp_command.hpp"
#include "local_delivery.hpp"
#include "recipient_check.hpp"

namespace gm::mda {
namespace {

int code_of(const std::variant<LmtpCommand, mail::SmtpReply>& r) {
  if (auto* reply = std::get_if<mail::SmtpReply>(&r)) return reply->code;
  return 0;
}

TEST(LmtpCommand, FollowsTheStateTable) {
  EXPECT_EQ(code_of(dispatch_lmtp("LHLO qmgr.example", LmtpState::kGreeted)), 0);
  EXPECT_EQ(code_of(dispatch_lmtp("lhlo qmgr.example", LmtpState::kRcptTo)), 0);
  EXPECT_EQ(code_of(dispatch_lmtp("MAIL FROM:<a@x>", LmtpState::kGreeted)), 503);
  EXPECT_EQ(code_of(dispatch_lmtp("MAIL FROM:<a@x>", LmtpState::kReady)), 0);
  EXPECT_EQ(code_of(dispatch_lmtp("MAIL FROM:<a@x>", LmtpState::kMailFrom)), 503);
  EXPECT_EQ(code_of(dispatch_lmtp("RCPT TO:<a@x>", LmtpState::kReady)), 503);
  EXPECT_EQ(code_of(dispatch_lmtp("DATA", LmtpState::kMailFrom)), 554);
  EXPECT_EQ(code_of(dispatch_lmtp("DATA", LmtpState::kRcptTo)), 0);
  EXPECT_EQ(code_of(dispatch_lmtp("DATA x", LmtpState::kRcptTo)), 501);
  EXPECT_EQ(code_of(dispatch_lmtp("RCPT", LmtpState::kMailFrom)), 501);
  EXPECT_EQ(code_of(dispatch_lmtp("EHLO x", LmtpState::kGreeted)), 500);  // RFC 2033 4.1
  EXPECT_EQ(code_of(dispatch_lmtp("HELO x", LmtpState::kGreeted)), 500);
  EXPECT_EQ(code_of(dispatch_lmtp("NOOP\x01", LmtpState::kReady)), 500);
  EXPECT_EQ(code_of(dispatch_lmtp(std::string(kMaxLmtpCommandLine + 1, 'N'), LmtpState::kReady)),
            500);
  EXPECT_EQ(code_of(dispatch_lmtp("QUIT", LmtpState::kData)), 503);
  EXPECT_EQ(code_of(dispatch_lmtp("RSET", LmtpState::kBusy)), 503);
}

TEST(LocalDelivery, HeadersAdded) {
  EXPECT_EQ(delivery_headers("b@x", "a@x"), "Return-Path: <b@x>\r\nDelivered-To: a@x\r\n");
  EXPECT_EQ(delivery_headers("", "a@x"), "Return-Path: <>\r\nDelivered-To: a@x\r\n");
  EXPECT_EQ(delivery_headers("b\r\nX: y@x", "a@x").find("\r\nX:"), std::string::npos);
}

TEST(LocalDelivery, DeliveredToValuesAreUnfoldedAndStopAtTheBody) {
  auto values = delivered_to_values(
      "Received: x\r\nDelivered-To: A@X\r\ndelivered-to:\r\n b@x\r\nSubject: s\r\n\r\n"
      "Delivered-To: body@x\r\n");
  EXPECT_EQ(values, (std::vector<std::string>{"a@x", "b@x"}));
  EXPECT_TRUE(delivered_to_values("Delivered-To: cut-off").empty());
  EXPECT_TRUE(delivered_to_values("X-Delivered-To: a@x\r\n").empty());
}

TEST(RecipientCheck, Verdicts) {
  auth::Expansion e;
  EXPECT_EQ(refuse_recipient(e)->code, 550);  // nobody
  e.suspended = {"s@x"};
  EXPECT_EQ(std::string(refuse_recipient(e)->enhanced), "5.2.1");
  e.loop = true;
  EXPECT_EQ(std::string(refuse_recipient(e)->enhanced), "5.4.6");
  auth::DirectoryEntry u;
  u.address = "a@x";
  e.users.push_back(u);
  EXPECT_FALSE(refuse_recipient(e).has_value());  // a loop in one branch, delivered elsewhere
  e.remote = {"r@y"};
  EXPECT_EQ(refuse_recipient(e)->code, 550);
  e.remote.clear();
  e.too_deep = true;
  EXPECT_EQ(refuse_recipient(e)->code, 554);
}

}  // namespace
}  // namespace gm::mda
