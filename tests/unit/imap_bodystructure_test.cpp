// ENVELOPE and BODYSTRUCTURE output (lib/mail/imap_envelope.hpp,
// imap_bodystructure.hpp) beyond the Dovecot corpus in mime_corpus_test.cpp.
#include <gtest/gtest.h>

#include "mail/imap_bodystructure.hpp"
#include "mail/imap_envelope.hpp"

namespace gm::mail {
namespace {

std::string envelope(std::string_view header) {
  return imap_envelope(parse_header_block(header));
}

TEST(ImapEnvelope, GroupsAndDefaultsForSenderAndReplyTo) {
  EXPECT_EQ(
      envelope("From: A <a@x>\r\nTo: team: b@x, \"C\" <c@y>;, d@z\r\nBcc: undisclosed:;\r\n"
               "Sender:\r\n\r\n"),
      "(NIL NIL ((\"A\" NIL \"a\" \"x\")) ((\"A\" NIL \"a\" \"x\")) ((\"A\" NIL \"a\" \"x\")) "
      "((NIL NIL \"team\" NIL)(NIL NIL \"b\" \"x\")(\"C\" NIL \"c\" \"y\")(NIL NIL NIL NIL)"
      "(NIL NIL \"d\" \"z\")) NIL ((NIL NIL \"undisclosed\" NIL)(NIL NIL NIL NIL)) NIL NIL)");
}

TEST(ImapEnvelope, EmptyHeaderAndRawEncodedWords) {
  EXPECT_EQ(envelope(""), "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
  EXPECT_EQ(envelope("Subject: =?utf-8?q?x?=\r\nIn-Reply-To: <a@b>\r\nMessage-ID: <c@d>\r\n"),
            "(NIL \"=?utf-8?q?x?=\" NIL NIL NIL NIL NIL NIL \"<a@b>\" \"<c@d>\")");
}

TEST(ImapEnvelope, EightBitTextIsALiteralUnlessUtf8Accepted) {
  auto fields = parse_header_block("Subject: K\xC3\xB6ln\r\n");
  EXPECT_EQ(imap_envelope(fields), "(NIL {5}\r\nK\xC3\xB6ln NIL NIL NIL NIL NIL NIL NIL NIL)");
  EXPECT_EQ(imap_envelope(fields, true), "(NIL \"K\xC3\xB6ln\" NIL NIL NIL NIL NIL NIL NIL NIL)");
}

MimePart parse(std::string_view msg) {
  return std::move(parse_mime(MessageSource::memory(msg))->root);
}

TEST(ImapBodystructure, ExtensionDataOfSinglePart) {
  MimePart p = parse(
      "Content-Type: image/png; name=a.png\r\nContent-ID: <i@x>\r\nContent-Description: pic\r\n"
      "Content-Transfer-Encoding: base64\r\nContent-MD5: abc=\r\n"
      "Content-Disposition: inline; filename=a.png\r\nContent-Language: en\r\n"
      "Content-Location: http://x/a.png\r\n\r\nAAAA\r\n");
  EXPECT_EQ(imap_bodystructure(p, false),
            "(\"image\" \"png\" (\"name\" \"a.png\") \"<i@x>\" \"pic\" \"base64\" 6)");
  EXPECT_EQ(imap_bodystructure(p, true),
            "(\"image\" \"png\" (\"name\" \"a.png\") \"<i@x>\" \"pic\" \"base64\" 6 \"abc=\" "
            "(\"inline\" (\"filename\" \"a.png\")) \"en\" \"http://x/a.png\")");
}

TEST(ImapBodystructure, MultipartWithoutPartsShowsOneEmptyTextPart) {
  MimePart p = parse("Content-Type: multipart/mixed\r\n\r\nno boundary parameter\r\n");
  EXPECT_EQ(imap_bodystructure(p, false),
            "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0) \"mixed\")");
}

TEST(ImapBodystructure, LanguageListAndNonRfc822MessageIsBasic) {
  MimePart p =
      parse("Content-Type: message/delivery-status\r\nContent-Language: en, de\r\n\r\nx\r\n");
  EXPECT_EQ(imap_bodystructure(p, true),
            "(\"message\" \"delivery-status\" NIL NIL NIL \"7bit\" 3 NIL NIL (\"en\" \"de\") NIL)");
}

}  // namespace
}  // namespace gm::mail
