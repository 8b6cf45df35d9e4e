#include "mail/crc32c.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace gm::mail {
namespace {

TEST(Crc32c, KnownValues) {
  // RFC 3720 B.4 and the usual check value of "123456789".
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(crc32c_portable("123456789"), 0xE3069283u);
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(crc32c(std::string(32, '\xff')), 0x62A8AB43u);
  EXPECT_EQ(crc32c(""), 0u);
}

TEST(Crc32c, InstructionAndTablesAgreeOnAnyLengthAndSplit) {
  std::mt19937 random(11);
  for (int round = 0; round < 500; ++round) {
    std::string data(random() % 300, '\0');
    for (char& c : data) c = static_cast<char>(random());
    uint32_t whole = crc32c_portable(data);
    ASSERT_EQ(crc32c(data), whole);
    size_t cut = data.empty() ? 0 : random() % data.size();
    std::string_view view(data);
    ASSERT_EQ(crc32c(view.substr(cut), crc32c(view.substr(0, cut))), whole);
  }
}

}  // namespace
}  // namespace gm::mail
