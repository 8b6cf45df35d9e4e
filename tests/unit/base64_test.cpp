#include "auth/base64.hpp"

#include <gtest/gtest.h>

namespace gm::auth {
namespace {

TEST(Base64, EncodesRfc4648Vectors) {
  // RFC 4648 section 10.
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
}

TEST(Base64, DecodesRfc4648Vectors) {
  EXPECT_EQ(*base64_decode(""), "");
  EXPECT_EQ(*base64_decode("Zg=="), "f");
  EXPECT_EQ(*base64_decode("Zm8="), "fo");
  EXPECT_EQ(*base64_decode("Zm9v"), "foo");
  EXPECT_EQ(*base64_decode("Zm9vYmFy"), "foobar");
}

TEST(Base64, RoundTripsAllByteValues) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t n = 0; n <= all.size(); n += 37) {
    std::string piece = all.substr(0, n);
    auto decoded = base64_decode(base64_encode(piece));
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded, piece);
  }
  EXPECT_EQ(*base64_decode("+/8="), "\xfb\xff");
}

TEST(Base64, RejectsMalformedInput) {
  for (auto bad :
       {"Z", "Zg", "Zg=", "Zg===", "====", "Z===", "Zm9", "Zm 9v", "Zm9v\n", "Zm9v\r\n",
        "Z=g=", "=Zm9", "Zm=v", "Zg==Zg==", "Zm9-", "Zm9_", "Zm9v====", "Zm9\x80", " Zm9v"})
    EXPECT_FALSE(base64_decode(bad).ok()) << bad;
}

TEST(Base64, RejectsNonCanonicalPaddingBits) {
  EXPECT_TRUE(base64_decode("Zg==").ok());
  EXPECT_FALSE(base64_decode("Zh==").ok());  // "f" with stray low bits
  EXPECT_TRUE(base64_decode("Zm8=").ok());
  EXPECT_FALSE(base64_decode("Zm9=").ok());
}

TEST(Base64, RejectsEmbeddedNul) {
  EXPECT_FALSE(base64_decode(std::string_view("Zm\0v", 4)).ok());
}

TEST(Base64, HonoursTheSizeLimit) {
  EXPECT_TRUE(base64_decode("Zm9vYmFy", 6).ok());
  EXPECT_FALSE(base64_decode("Zm9vYmFy", 5).ok());
  EXPECT_TRUE(base64_decode("Zm9vYg==", 4).ok());
  EXPECT_FALSE(base64_decode("Zm9vYg==", 3).ok());
  std::string big(kBase64MaxDecoded / 3 * 4 + 4, 'A');
  EXPECT_FALSE(base64_decode(big).ok());
}

}  // namespace
}  // namespace gm::auth
