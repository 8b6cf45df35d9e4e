// SEARCH helpers (lib/mail/mime_search.hpp): decoded, case-folded matching
// in header fields and in body text, streamed.
#include <gtest/gtest.h>

#include "mail/mime_search.hpp"

namespace gm::mail {
namespace {

const std::string kMessage =
    "From: =?iso-8859-1?q?J=FCrgen?= <j@example.org>\r\n"
    "Subject: =?utf-8?b?R3LDvMOfZSBhdXMgS8O2bG4=?=\r\n"
    "X-Tag: alpha\r\nX-Tag: beta\r\n"
    "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
    "--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    "Die Stra=DFe ist lang, die=\r\n Br=FCcke auch.\r\n"
    "--b\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    "PHA+zpHOuM63zr3OsTwvcD4=\r\n"
    "--b\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    "aGlkZGVuIHdvcmQ=\r\n"
    "--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner subject\r\n\r\ninner text\r\n"
    "--b--\r\n";

class MimeSearch : public ::testing::Test {
 protected:
  MessageSource src = MessageSource::memory(kMessage);
  MimeStructure m = std::move(*parse_mime(src));

  bool header(std::string_view name, std::string_view needle) {
    auto r = header_contains(src, m, name, needle);
    EXPECT_TRUE(r.ok());
    return *r;
  }
  bool body(std::string_view needle, bool with_headers = false) {
    auto r = text_contains(src, m, needle, with_headers);
    EXPECT_TRUE(r.ok());
    return *r;
  }
};

TEST_F(MimeSearch, HeaderValuesAreDecodedAndCaseFolded) {
  EXPECT_TRUE(header("subject", "GRÜSSE aus köln"));
  EXPECT_TRUE(header("FROM", "jürgen"));
  EXPECT_TRUE(header("from", "J@EXAMPLE.ORG"));
  EXPECT_TRUE(header("x-tag", "BETA"));  // any field of that name
  EXPECT_TRUE(header("x-tag", ""));      // an empty string: the field exists
  EXPECT_FALSE(header("x-missing", ""));
  EXPECT_FALSE(header("subject", "inner"));
}

TEST_F(MimeSearch, BodyTextIsDecodedAcrossSoftBreaksCharsetsAndParts) {
  EXPECT_TRUE(body("straße"));
  EXPECT_TRUE(body("STRASSE"));  // ß folds to ss
  EXPECT_TRUE(body("die brücke"));
  EXPECT_TRUE(body("αθηνα"));  // Greek in a base64 UTF-8 html part, folded
  EXPECT_TRUE(body("inner text"));
  EXPECT_TRUE(body("INNER SUBJECT"));  // an encapsulated header is body text
  EXPECT_FALSE(body("hidden word"));   // not text
  EXPECT_FALSE(body("jürgen"));        // BODY excludes the message header
  EXPECT_TRUE(body("jürgen", true));   // TEXT includes it
}

TEST(TextMatcher, FindsNeedleStraddlingChunksAndSplitCharacters) {
  std::string text =
      "xx Gr\xC3\xBC\xC3\x9F"
      "e yy";
  for (size_t step = 1; step <= text.size(); ++step) {
    TextMatcher matcher("GRÜSSE");
    for (size_t i = 0; i < text.size(); i += step) matcher.feed(text.substr(i, step));
    EXPECT_TRUE(matcher.matched()) << step;
  }
  TextMatcher miss("abc");
  EXPECT_FALSE(miss.feed("ab"));
  EXPECT_FALSE(miss.feed("xc"));
}

TEST(Casefold, AsciiLatinGreekCyrillic) {
  EXPECT_EQ(casefold("ABC Ä Ÿ Ł Ω Ж Ё"), "abc ä ÿ ł ω ж ё");
  EXPECT_EQ(casefold("\xFF"), "\xEF\xBF\xBD");
}

}  // namespace
}  // namespace gm::mail
