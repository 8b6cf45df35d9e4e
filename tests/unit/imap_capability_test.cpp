#include "mail/imap_capability.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace gm::mail {
namespace {

TEST(ImapCapability, CleartextPortSaysLoginDisabledAndOffersNoAuth) {
  std::vector<std::string> mechs = {"SCRAM-SHA-256", "PLAIN"};
  std::string caps = imap_capabilities_before_login({false, true, mechs});
  EXPECT_NE(caps.find("STARTTLS"), std::string::npos);
  EXPECT_NE(caps.find("LOGINDISABLED"), std::string::npos);
  EXPECT_EQ(caps.find("AUTH="), std::string::npos);
  EXPECT_NE(caps.find("IMAP4rev2"), std::string::npos);
  EXPECT_NE(caps.find("IMAP4rev1"), std::string::npos);
}

TEST(ImapCapability, UnderTlsOffersAuthdMechanismsAndSaslIr) {
  std::vector<std::string> mechs = {"SCRAM-SHA-256-PLUS", "PLAIN"};
  std::string caps = imap_capabilities_before_login({true, true, mechs});
  EXPECT_EQ(caps.find("LOGINDISABLED"), std::string::npos);
  EXPECT_EQ(caps.find("STARTTLS"), std::string::npos);
  EXPECT_NE(caps.find(" AUTH=SCRAM-SHA-256-PLUS AUTH=PLAIN"), std::string::npos);
  EXPECT_NE(caps.find("SASL-IR"), std::string::npos);
}

TEST(ImapCapability, AfterLoginListsAppendLimitOnlyWhenSet) {
  EXPECT_NE(imap_capabilities_after_login(1000).find("APPENDLIMIT=1000"), std::string::npos);
  EXPECT_EQ(imap_capabilities_after_login(0).find("APPENDLIMIT"), std::string::npos);
  EXPECT_NE(imap_capabilities_after_login(0).find("IDLE"), std::string::npos);
}

}  // namespace
}  // namespace gm::mail
