// BODY[section]<partial> and BINARY[] (lib/mail/imap_section.hpp), and the
// IMAP string output helpers (lib/mail/imap_string.hpp).
#include <gtest/gtest.h>

#include "mail/imap_section.hpp"
#include "mail/imap_string.hpp"

namespace gm::mail {
namespace {

using Text = SectionSpec::Text;

TEST(ImapSection, ParsesEverySectionForm) {
  auto s = parse_section("1.2.HEADER.FIELDS (Date \"X-Odd Name\" from)");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->part, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(s->text, Text::kHeaderFields);
  EXPECT_EQ(s->fields, (std::vector<std::string>{"DATE", "X-ODD NAME", "FROM"}));
  EXPECT_EQ(s->canonical(), "1.2.HEADER.FIELDS (DATE \"X-ODD NAME\" FROM)");
  EXPECT_EQ(parse_section("")->canonical(), "");
  EXPECT_EQ(parse_section("header")->text, Text::kHeader);
  EXPECT_EQ(parse_section("3.MIME")->canonical(), "3.MIME");
  EXPECT_EQ(parse_section("TEXT")->text, Text::kText);
  EXPECT_EQ(parse_section("HEADER.FIELDS.NOT (A)")->canonical(), "HEADER.FIELDS.NOT (A)");
  EXPECT_EQ(parse_section("4.10", true)->part, (std::vector<uint32_t>{4, 10}));
}

TEST(ImapSection, RejectsBadSections) {
  for (std::string_view bad :
       {"0", "1.", "01", "1..2", "MIME", "FOO", "HEADER.FIELDS", "HEADER.FIELDS ()",
        "HEADER.FIELDS (A", "TEXT junk", "1.x", "99999999999"})
    EXPECT_FALSE(parse_section(bad).ok()) << bad;
  EXPECT_FALSE(parse_section("1.HEADER", true).ok());
  SectionSpec spec;
  EXPECT_TRUE(parse_partial("<0.10>", spec).ok());
  EXPECT_EQ(*spec.partial_count, 10u);
  for (std::string_view bad : {"<5>", "<1.0>", "<a.b>", "<1.2", "1.2>"})
    EXPECT_FALSE(parse_partial(bad, spec).ok()) << bad;
}

const std::string kMessage =
    "Subject: s\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
    "--b\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
    "a=3Db=\r\nc\r\n"
    "--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\ninner body\r\n"
    "--b\r\nContent-Transfer-Encoding: x-custom\r\n\r\n?\r\n"
    "--b--\r\n";

std::string fetch(std::string_view section, std::string_view partial = "") {
  MessageSource src = MessageSource::memory(kMessage);
  auto m = parse_mime(src);
  auto spec = parse_section(section);
  EXPECT_TRUE(spec.ok()) << section;
  if (!partial.empty()) {
    EXPECT_TRUE(parse_partial(partial, *spec).ok());
  }
  auto content = resolve_section(*m, src, *spec);
  if (!content) return "ERROR";
  std::string out;
  EXPECT_TRUE(stream_section(src, apply_partial(*content, *spec), [&](std::string_view c) {
                out.append(c);
                return Status();
              }).ok());
  return out;
}

std::string binary(std::string_view section, std::string_view partial = "") {
  MessageSource src = MessageSource::memory(kMessage);
  auto m = parse_mime(src);
  auto spec = parse_section(section, true);
  if (!partial.empty()) {
    EXPECT_TRUE(parse_partial(partial, *spec).ok());
  }
  std::string out;
  Status s = stream_binary(*m, src, *spec, [&](std::string_view c) {
    out.append(c);
    return Status();
  });
  if (!s) return s.error().code == kUnknownCteError ? "UNKNOWN-CTE" : "ERROR";
  auto size = binary_size(*m, src, *spec);
  if (!spec->partial_offset) {
    EXPECT_EQ(*size, out.size());
  }
  return out;
}

TEST(ImapSection, ResolvesPartsOfMessagesAndEncapsulatedMessages) {
  EXPECT_EQ(fetch(""), kMessage);
  EXPECT_EQ(fetch("1"), "a=3Db=\r\nc");
  EXPECT_EQ(fetch("1.MIME"),
            "Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n");
  EXPECT_EQ(fetch("2"), "Subject: inner\r\n\r\ninner body");
  EXPECT_EQ(fetch("2.HEADER"), "Subject: inner\r\n\r\n");
  EXPECT_EQ(fetch("2.TEXT"), "inner body");
  EXPECT_EQ(fetch("2.1"), "inner body");
  EXPECT_EQ(fetch("HEADER.FIELDS (subject)"), "Subject: s\r\n\r\n");
  EXPECT_EQ(fetch("HEADER.FIELDS.NOT (Subject)"),
            "Content-Type: multipart/mixed; boundary=b\r\n\r\n");
  EXPECT_EQ(fetch("1.HEADER"), "ERROR");  // not a message/rfc822 part
  EXPECT_EQ(fetch("4"), "ERROR");
  EXPECT_EQ(fetch("1.2"), "ERROR");
}

TEST(ImapSection, PartialClipsToTheContent) {
  EXPECT_EQ(fetch("", "<0.7>"), "Subject");
  EXPECT_EQ(fetch("2.HEADER", "<9.100>"), "inner\r\n\r\n");
  EXPECT_EQ(fetch("1", "<1000.5>"), "");
  EXPECT_EQ(fetch("HEADER.FIELDS (SUBJECT)", "<2.3>"), "bje");
}

TEST(ImapSection, BinaryDecodesAndReportsUnknownEncodings) {
  EXPECT_EQ(binary("1"), "a=bc");
  EXPECT_EQ(binary("1", "<1.2>"), "=b");
  EXPECT_EQ(binary("2"), "Subject: inner\r\n\r\ninner body");
  EXPECT_EQ(binary("3"), "UNKNOWN-CTE");
  EXPECT_EQ(binary(""), kMessage);
  EXPECT_EQ(binary("9"), "ERROR");
}

TEST(ImapSection, BinarySizeReportsNulBytes) {
  std::string msg = "Content-Transfer-Encoding: base64\r\n\r\nYQBi\r\n";  // "a\0b"
  MessageSource src = MessageSource::memory(msg);
  auto m = parse_mime(src);
  auto spec = parse_section("1", true);
  bool nul = false;
  EXPECT_EQ(*binary_size(*m, src, *spec, &nul), 3u);
  EXPECT_TRUE(nul);
  EXPECT_EQ(*binary_size(*m, src, *parse_section("", true), &nul), msg.size());
  EXPECT_FALSE(nul);
}

TEST(ImapString, QuotesWhenPossibleElseLiteral) {
  std::string out;
  append_string(out, "a \"q\" \\ b");
  EXPECT_EQ(out, "\"a \\\"q\\\" \\\\ b\"");
  out.clear();
  append_string(out, "two\r\nlines");
  EXPECT_EQ(out, "{10}\r\ntwo\r\nlines");
  out.clear();
  append_string(out, "K\xC3\xB6ln");
  EXPECT_EQ(out, "{5}\r\nK\xC3\xB6ln");
  out.clear();
  append_string(out, "K\xC3\xB6ln", true);
  EXPECT_EQ(out, "\"K\xC3\xB6ln\"");
  out.clear();
  append_string(out, "bad \xFF", true);
  EXPECT_EQ(out, "{5}\r\nbad \xFF");
  out.clear();
  append_string(out, std::string(kMaxQuotedLength + 1, 'a'));
  EXPECT_TRUE(out.starts_with("{1025}\r\n"));
}

TEST(ImapString, NilAtomsAndNulBytes) {
  std::string out;
  append_nstring(out, std::nullopt);
  out += ' ';
  append_nstring(out, "");
  out += ' ';
  append_astring(out, "INBOX");
  out += ' ';
  append_astring(out, "nil");
  out += ' ';
  append_astring(out, "a b");
  out += ' ';
  append_literal(out, std::string_view("a\0b", 3));
  EXPECT_EQ(out, "NIL \"\" INBOX \"nil\" \"a b\" {2}\r\nab");
}

}  // namespace
}  // namespace gm::mail
