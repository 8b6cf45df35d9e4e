#include "auth/auth_protocol.hpp"

#include <gtest/gtest.h>

#include "core/str.hpp"

namespace gm::auth {
namespace {

template <typename T>
void expect_request_round_trip(const T& message, std::string_view expected_line) {
  std::string line = format_request(message);
  EXPECT_EQ(line, expected_line);
  auto parsed = parse_request(line);
  ASSERT_TRUE(parsed.ok()) << line << ": " << parsed.error().message;
  ASSERT_TRUE(std::holds_alternative<T>(*parsed)) << line;
  EXPECT_EQ(std::get<T>(*parsed), message) << line;
}

template <typename T>
void expect_reply_round_trip(const T& message, std::string_view expected_line) {
  std::string line = format_reply(message);
  EXPECT_EQ(line, expected_line);
  auto parsed = parse_reply(line);
  ASSERT_TRUE(parsed.ok()) << line << ": " << parsed.error().message;
  ASSERT_TRUE(std::holds_alternative<T>(*parsed)) << line;
  EXPECT_EQ(std::get<T>(*parsed), message) << line;
}

TEST(AuthProtocol, MechsRequestRoundTrips) {
  expect_request_round_trip(MechsRequest{7, true, false}, "MECHS\t7\tsecured=1\tcb=0");
  expect_request_round_trip(MechsRequest{kMaxAuthId, false, true},
                            "MECHS\t2147483647\tsecured=0\tcb=1");
}

TEST(AuthProtocol, AuthRequestRoundTrips) {
  AuthRequest minimal{1, "SCRAM-SHA-256", "imap", "", false, "", "", std::nullopt};
  expect_request_round_trip(minimal, "AUTH\t1\tmech=SCRAM-SHA-256\tservice=imap\tsecured=0");

  AuthRequest full{42,
                   "SCRAM-SHA-256-PLUS",
                   "smtp",
                   "2001:db8::1",
                   true,
                   "tls-exporter",
                   std::string("\x00\x01\xff", 3),
                   std::string("n,,n=u,r=x")};
  expect_request_round_trip(
      full,
      "AUTH\t42\tmech=SCRAM-SHA-256-PLUS\tservice=smtp\trip=2001:db8::1"
      "\tsecured=1\tcb-type=tls-exporter\tcb-data=AAH/\tresp=biwsbj11LHI9eA==");

  AuthRequest empty_response{3, "PLAIN", "pop3", "192.0.2.1", true, "", "", std::string()};
  expect_request_round_trip(empty_response,
                            "AUTH\t3\tmech=PLAIN\tservice=pop3\trip=192.0.2.1\tsecured=1\tresp==");
}

TEST(AuthProtocol, AuthRequestFieldsMayComeInAnyOrder) {
  auto parsed = parse_request("AUTH\t9\tsecured=1\tresp=AA==\tservice=smtp\tmech=PLAIN");
  ASSERT_TRUE(parsed.ok());
  const auto& request = std::get<AuthRequest>(*parsed);
  EXPECT_EQ(request.mechanism, "PLAIN");
  EXPECT_EQ(request.initial_response, std::string(1, '\0'));
}

TEST(AuthProtocol, ContinueAndAbortRoundTrip) {
  expect_request_round_trip(ContinueRequest{5, "c=biws"}, "CONT\t5\tYz1iaXdz");
  expect_request_round_trip(ContinueRequest{5, ""}, "CONT\t5\t=");
  expect_request_round_trip(AbortRequest{12}, "ABORT\t12");
}

TEST(AuthProtocol, RepliesRoundTrip) {
  expect_reply_round_trip(MechsReply{1, {"SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"}},
                          "MECHS\t1\tSCRAM-SHA-256 SCRAM-SHA-1 PLAIN");
  expect_reply_round_trip(MechsReply{2, {}}, "MECHS\t2");
  expect_reply_round_trip(ContinueReply{3, "r=abc,s=QSXCR+Q6sek8bf92,i=4096"},
                          "CONT\t3\tcj1hYmMscz1RU1hDUitRNnNlazhiZjkyLGk9NDA5Ng==");
  expect_reply_round_trip(ContinueReply{3, ""}, "CONT\t3\t=");
  expect_reply_round_trip(OkReply{4, "alice@example.org", std::nullopt},
                          "OK\t4\tuser=alice@example.org");
  expect_reply_round_trip(OkReply{4, "alice@example.org", std::string("v=xyz")},
                          "OK\t4\tuser=alice@example.org\tdata=dj14eXo=");
  expect_reply_round_trip(FailReply{5, false, "authentication failed"},
                          "FAIL\t5\treason=authentication failed");
  expect_reply_round_trip(FailReply{6, true, "try again later"},
                          "FAIL\t6\ttemp=1\treason=try again later");
}

TEST(AuthProtocol, LookupRequestRoundTrips) {
  expect_request_round_trip(LookupRequest{3, "alice@example.org"},
                            "LOOKUP\t3\taddress=alice@example.org");
  expect_request_round_trip(LookupRequest{4, "j\xc3\xb6rg@example.org"},
                            "LOOKUP\t4\taddress=j\xc3\xb6rg@example.org");
}

TEST(AuthProtocol, LookupRepliesRoundTrip) {
  expect_reply_round_trip(
      UserReply{1, "alice@example.org", true, 2147483648ULL, "example.org/alice"},
      "USER\t1\taddress=alice@example.org\tstatus=active\tquota=2147483648"
      "\tmailbox=example.org/alice");
  expect_reply_round_trip(UserReply{2, "bob@example.org", false, 0, "shared/bob box"},
                          "USER\t2\taddress=bob@example.org\tstatus=suspended\tquota=0"
                          "\tmailbox=shared/bob box");
  expect_reply_round_trip(AliasReply{3, "team@example.org", {"a@example.org", "b@x.example"}},
                          "ALIAS\t3\taddress=team@example.org\ttargets=a@example.org,b@x.example");
  expect_reply_round_trip(NoneReply{4, true}, "NONE\t4\tdomain=local");
  expect_reply_round_trip(NoneReply{5, false}, "NONE\t5\tdomain=remote");
}

TEST(AuthProtocol, AliasTargetsCannotForgeTheList) {
  std::string line = format_reply(AliasReply{1, "a@x.example", {"b@x.example,evil@y.example"}});
  EXPECT_EQ(line, "ALIAS\t1\taddress=a@x.example\ttargets=b@x.example?evil@y.example");
}

TEST(AuthProtocol, AliasRepliesMayBeLongerThanOtherLines) {
  AliasReply many{1, "list@example.org", {}};
  for (int i = 0; i < 500; ++i) many.targets.push_back(str_cat("member", i, "@example.org"));
  std::string line = format_reply(many);
  EXPECT_GT(line.size(), kMaxAuthLineLength);
  auto parsed = parse_reply(line);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(std::get<AliasReply>(*parsed), many);
  // Only ALIAS gets the larger limit.
  EXPECT_FALSE(parse_reply("FAIL\t1\treason=" + std::string(kMaxAuthLineLength, 'x')).ok());
  many.targets.resize(kMaxLookupTargets + 1, "a@b.example");
  EXPECT_FALSE(parse_reply(format_reply(many)).ok());
}

TEST(AuthProtocol, RejectsMalformedLookups) {
  const char* bad_requests[] = {
      "LOOKUP\t1",
      "LOOKUP\t1\taddress=",
      "LOOKUP\t1\taddress=a b@example.org",
      "LOOKUP\t1\taddress=a@x\taddress=b@x",
      "LOOKUP\t1\tuser=a@x",
      "LOOKUP\t0\taddress=a@x",
  };
  for (const char* line : bad_requests) EXPECT_FALSE(parse_request(line).ok()) << line;
  EXPECT_FALSE(parse_request("LOOKUP\t1\taddress=" + std::string(kMaxAccountLength + 1, 'a')).ok());
  const char* bad_replies[] = {
      "USER\t1\taddress=a@x\tstatus=active\tquota=0",
      "USER\t1\taddress=a@x\tstatus=gone\tquota=0\tmailbox=x/a",
      "USER\t1\taddress=a@x\tstatus=active\tquota=01\tmailbox=x/a",
      "USER\t1\taddress=a@x\tstatus=active\tquota=-1\tmailbox=x/a",
      "USER\t1\taddress=a@x\tstatus=active\tquota=+1\tmailbox=x/a",
      "USER\t1\taddress=a@x\tstatus=active\tquota=18446744073709551616\tmailbox=x/a",
      "USER\t1\taddress=a@x\tstatus=active\tquota=1\tmailbox=/etc",
      "USER\t1\taddress=a@x\tstatus=active\tquota=1\tmailbox=x/../../etc",
      "USER\t1\taddress=a@x\tstatus=active\tquota=1\tmailbox=..",
      "USER\t1\taddress=a@x\tstatus=active\tquota=1\tmailbox=x/a\textra=1",
      "ALIAS\t1\taddress=a@x",
      "ALIAS\t1\taddress=a@x\ttargets=",
      "ALIAS\t1\taddress=a@x\ttargets=b@x,",
      "ALIAS\t1\taddress=a@x\ttargets=,b@x",
      "ALIAS\t1\taddress=a@x\ttargets=b@x,,c@x",
      "ALIAS\t1\taddress=a@x\ttargets=b c@x",
      "NONE\t1",
      "NONE\t1\tdomain=maybe",
      "NONE\t1\tdomain=local\tdomain=local",
      "LOOKUP\t1\taddress=a@x",  // a request, not a reply
  };
  for (const char* line : bad_replies) EXPECT_FALSE(parse_reply(line).ok()) << line;
}

TEST(AuthProtocol, FormattingNeverBreaksFraming) {
  std::string line = format_reply(FailReply{1, false, "bad\tthing\nhere"});
  EXPECT_EQ(line, "FAIL\t1\treason=bad?thing?here");
  EXPECT_TRUE(parse_reply(line).ok());
  line = format_reply(OkReply{1, "evil\tdata=AAAA", std::nullopt});
  EXPECT_EQ(line, "OK\t1\tuser=evil?data=AAAA");
  std::string long_reason(1000, 'x');
  auto parsed = parse_reply(format_reply(FailReply{1, false, long_reason}));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(std::get<FailReply>(*parsed).reason.size(), kMaxReasonLength);
}

TEST(AuthProtocol, RejectsMalformedRequests) {
  const char* bad[] = {
      "",
      "MECHS",
      "MECHS\t1",
      "MECHS\t0\tsecured=1\tcb=0",           // id 0
      "MECHS\t01\tsecured=1\tcb=0",          // leading zero
      "MECHS\t2147483648\tsecured=1\tcb=0",  // beyond kMaxAuthId
      "MECHS\t-1\tsecured=1\tcb=0",
      "MECHS\t+1\tsecured=1\tcb=0",
      "MECHS\t1\tsecured=2\tcb=0",
      "MECHS\t1\tsecured=1",
      "MECHS\t1\tsecured=1\tcb=0\tcb=0",
      "MECHS\t1\tsecured=1\tcb=0\n",
      "MECHS\t1\tsecured=1\tcb=0\t",
      "MECHS\t1\t\tsecured=1\tcb=0",
      "mechs\t1\tsecured=1\tcb=0",
      "AUTH\t1\tmech=PLAIN\tservice=imap",                          // no secured
      "AUTH\t1\tmech=plain\tservice=imap\tsecured=1",               // lower-case mechanism
      "AUTH\t1\tmech=PLAIN\tservice=IMAP\tsecured=1",               // upper-case service
      "AUTH\t1\tmech=PLAIN\tservice=imap\tsecured=1\tfoo=bar",      // unknown key
      "AUTH\t1\tmech=PLAIN\tservice=imap\tsecured=1\tmech=LOGIN",   // repeated key
      "AUTH\t1\tmech=PLAIN\tservice=imap\tsecured=1\trip=example",  // not an IP
      "AUTH\t1\tmech=PLAIN\tservice=imap\tsecured=1\trip=",
      "AUTH\t1\tmech=PLAIN\tservice=imap\tsecured=1\tresp=Zg",    // bad base64
      "AUTH\t1\tmech=PLAIN\tservice=imap\tsecured=1\tresp=Zh==",  // non-canonical
      "AUTH\t1\tmech=PLAIN\tservice=imap\tsecured=1\tcb-type=tls-exporter",
      "AUTH\t1\tmech=PLAIN\tservice=imap\tsecured=1\tcb-data=AAAA",
      "AUTH\t1\tmech=PLAIN\tservice=imap\tsecured=0\tcb-type=tls-exporter\tcb-data=AAAA",
      "AUTH\t1\tmech=PLAIN\tservice=imap\tsecured=1\tcb-type=tls-exporter\tcb-data==",
      "AUTH\t1\tmech=PLAIN\tservice=imap\tsecured=1\tcb-type=tls_x\tcb-data=AAAA",
      "AUTH\t1\tmech=TOO-LONG-MECHANISM-NAME-X\tservice=imap\tsecured=1",
      "AUTH\t1\tmech\tservice=imap\tsecured=1",
      "CONT\t1",
      "CONT\t1\tAAAA\tAAAA",
      "CONT\t1\tA",
      "ABORT\t1\tx",
      "ABORT\tx",
      "OK\t1\tuser=alice",  // a reply, not a request
      "HELLO\t1",
  };
  for (const char* line : bad) EXPECT_FALSE(parse_request(line).ok()) << line;
  EXPECT_FALSE(parse_request(std::string_view("ABORT\t1\0", 8)).ok());
  EXPECT_FALSE(parse_request("ABORT\t1\r").ok());
}

TEST(AuthProtocol, RejectsMalformedReplies) {
  const char* bad[] = {
      "MECHS\t1\t",
      "MECHS\t1\tPLAIN  LOGIN",
      "MECHS\t1\t PLAIN",
      "MECHS\t1\tPLAIN ",
      "MECHS\t1\tplain",
      "MECHS\t1\tPLAIN\tLOGIN",
      "MECHS\t1\tA B C D E F G H I J K L M N O P Q",  // 17 > kMaxMechanismCount
      "CONT\t1",
      "OK\t1",
      "OK\t1\tuser=",
      "OK\t1\tuser=a b",
      "OK\t1\tuser=a\tdata=!!!!",
      "OK\t1\tdata=AAAA",
      "FAIL\t1",
      "FAIL\t1\ttemp=0\treason=x",
      "FAIL\t1\ttemp=1",
      "FAIL\t1\treason=caf\xc3\xa9",
      "AUTH\t1\tmech=PLAIN\tservice=imap\tsecured=1",  // a request, not a reply
      "ABORT\t1",
  };
  for (const char* line : bad) EXPECT_FALSE(parse_reply(line).ok()) << line;
}

TEST(AuthProtocol, EnforcesLineAndFieldLimits) {
  std::string big(kMaxAuthBinary + 3, 'x');
  std::string line = format_request(ContinueRequest{1, big});
  EXPECT_FALSE(parse_request(line).ok());  // decoded data over kMaxAuthBinary
  std::string too_long = "CONT\t1\t" + std::string(kMaxAuthLineLength, 'A');
  EXPECT_FALSE(parse_request(too_long).ok());
  std::string many = "AUTH\t1";
  for (int i = 0; i < 10; ++i) many += "\tmech=PLAIN";
  EXPECT_FALSE(parse_request(many).ok());
}

}  // namespace
}  // namespace gm::auth
