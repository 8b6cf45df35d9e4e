// Content-Transfer-Encoding decoders, RFC 2047 encoded-words, RFC 2231
// parameters and iconv charset conversion (lib/mail/mime_*).
#include <gtest/gtest.h>

#include "mail/mime_charset.hpp"
#include "mail/mime_encoded_word.hpp"
#include "mail/mime_params.hpp"
#include "mail/mime_transfer_decoder.hpp"

namespace gm::mail {
namespace {

std::string decode_whole(std::string_view encoding, std::string_view text) {
  auto d = TransferDecoder::create(encoding);
  EXPECT_TRUE(d.has_value());
  std::string out;
  d->feed(text, out);
  d->finish(out);
  return out;
}

// Feeds text in pieces of `step` bytes.
std::string decode_split(std::string_view encoding, std::string_view text, size_t step) {
  auto d = TransferDecoder::create(encoding);
  std::string out;
  for (size_t i = 0; i < text.size(); i += step) d->feed(text.substr(i, step), out);
  d->finish(out);
  return out;
}

TEST(TransferDecoder, QuotedPrintable_SoftBreaksEscapesAndPadding) {
  EXPECT_EQ(decode_whole("quoted-printable", "Gr=C3=BC=C3=9Fe, soft=\r\n break  \r\nend=3d"),
            "Gr\xC3\xBC\xC3\x9F"
            "e, soft break\r\nend=");
  // A bad escape stays as written (RFC 2045 6.7 note 1).
  EXPECT_EQ(decode_whole("Quoted-Printable", "a=ZZb=4"), "a=ZZb=4");
}

TEST(TransferDecoder, QuotedPrintable_SameResultForAnyChunking) {
  std::string text = "l=C3=A4ngere Zeile mit =\r\nweichem Umbruch=20\r\nund =3D zeichen\r\n";
  for (size_t step = 1; step <= text.size(); ++step)
    EXPECT_EQ(decode_split("quoted-printable", text, step), decode_whole("quoted-printable", text))
        << step;
}

TEST(TransferDecoder, QuotedPrintable_LongLineWithoutBreaksIsDecodedInPieces) {
  std::string text;
  for (int i = 0; i < 3000; ++i) text += "=41b";
  std::string expected;
  for (int i = 0; i < 3000; ++i) expected += "Ab";
  for (size_t step : {1000u, 4097u, 7u})
    EXPECT_EQ(decode_split("quoted-printable", text, step), expected);
}

TEST(TransferDecoder, Base64_IgnoresLineBreaksAndJunkInAnyChunking) {
  std::string text = "SGVsbG8s\r\nIHdv cmxk\r\n!IQ==\r\n";
  EXPECT_EQ(decode_whole("base64", text), "Hello, world!");
  for (size_t step = 1; step <= text.size(); ++step)
    EXPECT_EQ(decode_split("BASE64", text, step), "Hello, world!");
}

TEST(TransferDecoder, IdentityAndUnknownEncodings) {
  EXPECT_EQ(decode_whole("", "a=41"), "a=41");
  EXPECT_EQ(decode_whole("8bit", "\xFF"), "\xFF");
  EXPECT_EQ(decode_whole(" binary ", "x"), "x");
  EXPECT_FALSE(TransferDecoder::create("x-uuencode").has_value());
}

TEST(CharsetDecoder, ConvertsLatin1AndReplacesInvalidUtf8) {
  EXPECT_EQ(*charset_to_utf8("ISO-8859-1",
                             "Gr\xFC\xDF"
                             "e"),
            "Gr\xC3\xBC\xC3\x9F"
            "e");
  EXPECT_EQ(*charset_to_utf8("utf-8",
                             "a\xFF"
                             "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(*charset_to_utf8("windows-1252", "\x80"), "\xE2\x82\xAC");
  EXPECT_FALSE(charset_to_utf8("x-no-such-charset", "a").ok());
}

TEST(CharsetDecoder, KeepsSplitSequencesAcrossChunks) {
  for (std::string_view charset : {"utf-8", "UTF-16BE"}) {
    std::string text =
        charset == "utf-8" ? "\xE2\x82\xAC\xC3\xBC" : std::string("\x20\xAC\x00\xFC", 4);
    auto d = CharsetDecoder::create(charset);
    ASSERT_TRUE(d.ok());
    std::string out;
    for (char c : text) d->feed(std::string_view(&c, 1), out);
    d->finish(out);
    EXPECT_EQ(out, "\xE2\x82\xAC\xC3\xBC") << charset;
  }
}

TEST(CharsetDecoder, StatefulIso2022Jp) {
  EXPECT_EQ(*charset_to_utf8("ISO-2022-JP", "\x1b$B$3$s\x1b(B!"), "\xE3\x81\x93\xE3\x82\x93!");
}

TEST(EncodedWord, DecodesQAndBAndDropsSpaceBetweenWords) {
  EXPECT_EQ(decode_encoded_words("=?utf-8?q?caf=C3=A9?= =?utf-8?b?IG5pY2U=?="), "caf\xC3\xA9 nice");
  EXPECT_EQ(decode_encoded_words("Re: =?ISO-8859-1?Q?J=FCrgen_M?= said"),
            "Re: J\xC3\xBCrgen M said");
  EXPECT_EQ(decode_encoded_words("=?utf-8*de?Q?a?="), "a");
}

TEST(EncodedWord, JoinsMultibyteCharacterSplitBetweenWords) {
  EXPECT_EQ(decode_encoded_words("=?utf-8?q?=E2=82?= =?utf-8?q?=AC?="), "\xE2\x82\xAC");
}

TEST(EncodedWord, LeavesBadWordsAndUnknownCharsetsReadable) {
  EXPECT_EQ(decode_encoded_words("=?utf-8?x?abc?= and =?broken"), "=?utf-8?x?abc?= and =?broken");
  EXPECT_EQ(decode_encoded_words("=?x-unknown?q?abc?="), "abc");
  EXPECT_EQ(decode_encoded_words("K\xC3\xB6ln \xFF"), "K\xC3\xB6ln \xEF\xBF\xBD");
}

TEST(MimeParams, TypeAndQuotedParamsWithComments) {
  MimeFieldValue v =
      parse_mime_field("Text/HTML (comment) ; Charset = \"iso-8859-1\" ; x=\"a\\\"b\"");
  EXPECT_EQ(v.value, "text/html");
  ASSERT_EQ(v.params.size(), 2u);
  EXPECT_EQ(v.params[0].name, "charset");
  EXPECT_EQ(v.params[0].value, "iso-8859-1");
  EXPECT_EQ(v.params[1].value, "a\"b");
}

// Found by the mime_parser fuzz target: a comment whose last byte is a
// backslash read one past the end (std::out_of_range from substr).
TEST(MimeParams, CommentEndingInABackslashEndsTheField) {
  for (std::string_view field : {"text/plain (\\", "(((\\", "a; b=c (x\\"}) {
    MimeFieldValue v = parse_mime_field(field);
    EXPECT_LE(v.value.size(), field.size());
  }
  EXPECT_EQ(parse_mime_field("text/plain (\\").value, "text/plain");
}

TEST(MimeParams, Rfc2231ContinuationsAndCharsets) {
  MimeFieldValue v = parse_mime_field(
      "application/x; name*1*=%20and%20more; name*0*=utf-8''%E2%82%AC%20rates; name*2=\".txt\"; "
      "title*0=\"long \"; title*1=title");
  ASSERT_EQ(v.params.size(), 2u);
  EXPECT_EQ(v.params[0].name, "name");
  EXPECT_EQ(v.params[0].value, "\xE2\x82\xAC rates and more.txt");
  EXPECT_EQ(v.params[0].extended_value, "utf-8''%E2%82%AC%20rates%20and%20more.txt");
  EXPECT_EQ(v.params[1].value, "long title");
  EXPECT_EQ(v.params[1].extended_value, "");
  MimeFieldValue d =
      parse_mime_field("attachment; filename=\"old.txt\"; filename*=iso-8859-1'de'Gr%FC%DFe.txt");
  EXPECT_EQ(*find_param(d.params, "filename"),
            "Gr\xC3\xBC\xC3\x9F"
            "e.txt");
}

TEST(MimeParams, KeepsWhatCameBeforeBadSyntax) {
  MimeFieldValue v = parse_mime_field("multipart/mixed; boundary=abc; ; =x; junk");
  EXPECT_EQ(v.value, "multipart/mixed");
  ASSERT_EQ(v.params.size(), 1u);
  EXPECT_EQ(*find_param(v.params, "BOUNDARY"), "abc");
  EXPECT_EQ(parse_mime_field("").value, "");
}

}  // namespace
}  // namespace gm::mail
