#include "mail/maa_handoff.hpp"

#include <gtest/gtest.h>

namespace gm::mail {
namespace {

MaaHandoff sample() {
  return {AccessProtocol::kImap,
          "alice@example.test",
          "/var/mail/example.test/alice",
          "192.0.2.1",
          "TLSv1.3/TLS_AES_256_GCM_SHA384",
          "abc123",
          "a001"};
}

TEST(MaaHandoff, RoundTripsEveryField) {
  MaaHandoff h = sample();
  std::string line = format_handoff(h);
  ASSERT_TRUE(line.ends_with("\r\n"));
  auto parsed = parse_handoff(std::string_view(line).substr(0, line.size() - 2));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(*parsed, h);
}

TEST(MaaHandoff, EncodesSpacesCrLfAndPercentSoNoFieldCanBeSmuggled) {
  MaaHandoff h = sample();
  h.protocol = AccessProtocol::kPop3;
  h.user = "a b\r\nGMHANDOFF 1 maildir=/etc %";
  h.tag = "";
  std::string line = format_handoff(h);
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  EXPECT_NE(line.find("user=a%20b%0D%0AGMHANDOFF%201%20maildir=/etc%20%25 "), std::string::npos);
  auto parsed = parse_handoff(std::string_view(line).substr(0, line.size() - 2));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(*parsed, h);
}

TEST(MaaHandoff, RefusesBadLines) {
  std::string good = format_handoff(sample());
  good.resize(good.size() - 2);
  EXPECT_FALSE(parse_handoff("").ok());
  EXPECT_FALSE(parse_handoff("GMHANDOFF 2" + good.substr(11)).ok());
  EXPECT_FALSE(parse_handoff(good + " extra=1").ok());
  std::string relative = good;
  relative.replace(relative.find("maildir=/"), 9, "maildir=v");
  EXPECT_FALSE(parse_handoff(relative).ok());
  std::string nul = good;
  nul.replace(nul.find("maildir=/"), 9, "maildir=/%00");
  EXPECT_FALSE(parse_handoff(nul).ok());
  std::string proto = good;
  proto.replace(proto.find("proto=imap"), 10, "proto=smtp");
  EXPECT_FALSE(parse_handoff(proto).ok());
  std::string cut = good;
  cut.replace(cut.find("tag=a001"), 8, "tag=a0%4");
  EXPECT_FALSE(parse_handoff(cut).ok());
  std::string swapped = good;
  swapped.replace(swapped.find("user="), 5, "tag=");
  EXPECT_FALSE(parse_handoff(swapped).ok());
  EXPECT_FALSE(parse_handoff(good + std::string(kMaxHandoffLine, 'x')).ok());
}

TEST(MaaHandoff, PercentDecodeRefusesBadEscapes) {
  EXPECT_FALSE(percent_decode("%").ok());
  EXPECT_FALSE(percent_decode("%4").ok());
  EXPECT_FALSE(percent_decode("%zz").ok());
  EXPECT_EQ(*percent_decode("%41%62c"), "Abc");
}

}  // namespace
}  // namespace gm::mail
