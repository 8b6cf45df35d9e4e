// sendmail's input handling (lib/mail/local_message) and the stream to
// gm-postdrop (lib/mail/postdrop_stream).
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "mail/local_message.hpp"
#include "mail/postdrop_stream.hpp"

namespace gm::mail {
namespace {

struct Collected {
  std::vector<std::string> lines;
  std::vector<bool> broken;
};

Collected lines_of(std::string_view input, bool ignore_dots, size_t max_line = kMaxBodyLine,
                   size_t piece = 3) {
  Collected out;
  InputLines lines(ignore_dots, max_line);
  auto sink = [&](std::string_view line, bool broken) -> Status {
    out.lines.emplace_back(line);
    out.broken.push_back(broken);
    return {};
  };
  for (size_t i = 0; i < input.size() && !lines.ended(); i += piece)
    EXPECT_TRUE(lines.feed(input.substr(i, piece), sink));
  EXPECT_TRUE(lines.finish(sink));
  return out;
}

TEST(InputLines, LoneDotEndsInputWithoutDashI) {
  auto out = lines_of("a\r\nb\n.\nafter\n", false);
  EXPECT_EQ(out.lines, (std::vector<std::string>{"a", "b"}));
}

TEST(InputLines, DashIKeepsTheLoneDotAsText) {
  auto out = lines_of("a\n.\nafter", true);
  EXPECT_EQ(out.lines, (std::vector<std::string>{"a", ".", "after"}));
}

TEST(InputLines, DoubleDotIsNotUnstuffedAndDotCrlfEndsInput) {
  EXPECT_EQ(lines_of("..x\n.\r\nz\n", false).lines, (std::vector<std::string>{"..x"}));
}

TEST(InputLines, BareCrStaysAndLastLineWithoutNewlineCounts) {
  EXPECT_EQ(lines_of("a\rb\nlast", false).lines, (std::vector<std::string>{"a\rb", "last"}));
}

TEST(InputLines, LongLinesAreBrokenIntoPiecesAtTheLimit) {
  auto out = lines_of(std::string(25, 'x') + "\r\nshort\n", false, 10, 7);
  EXPECT_EQ(out.lines, (std::vector<std::string>{std::string(10, 'x'), std::string(10, 'x'),
                                                 std::string(5, 'x'), "short"}));
  EXPECT_EQ(out.broken, (std::vector<bool>{true, true, false, false}));
}

TEST(InputLines, DotAfterABrokenPieceDoesNotEndInput) {
  auto out = lines_of(std::string(10, 'x') + ".\nmore\n", false, 10, 100);
  EXPECT_EQ(out.lines.size(), 3u);
}

Result<HeaderSection> header_of(const std::vector<std::string>& lines) {
  HeaderSection header;
  for (const std::string& line : lines) {
    auto kind = header.add_line(line, line.size() > kMaxHeaderLine);
    if (!kind) return kind.error();
    if (*kind != HeaderSection::LineKind::kHeader) break;
  }
  return header;
}

TEST(HeaderSection, FoldedFieldsStayWholeAndMboxFromLineIsDropped) {
  auto header = header_of({"From someone Tue Jan  1 00:00:00 2030", "Subject: a", "  b", "", "x"});
  ASSERT_TRUE(header);
  ASSERT_EQ(header->fields().size(), 1u);
  EXPECT_EQ(header->fields()[0].text, "Subject: a\r\n  b\r\n");
  EXPECT_EQ(header->fields()[0].body(), "a  b");
}

TEST(HeaderSection, NonHeaderLineStartsTheBody) {
  HeaderSection header;
  EXPECT_EQ(*header.add_line("To: a@b.example", false), HeaderSection::LineKind::kHeader);
  EXPECT_EQ(*header.add_line("no colon here", false), HeaderSection::LineKind::kBodyStart);
}

TEST(HeaderSection, OverlongHeaderLineIsRejected) {
  HeaderSection header;
  auto kind = header.add_line("Subject: " + std::string(990, 'x'), true);
  ASSERT_FALSE(kind);
  EXPECT_EQ(kind.error().code, 554);
}

TEST(HeaderSection, HugeHeaderSectionIsRejected) {
  HeaderSection header;
  Status last;
  for (size_t i = 0; i < kMaxHeaderFields + 1 && last; ++i) {
    auto kind = header.add_line("X-Filler: " + std::string(900, 'y'), false);
    if (!kind) last = kind.error();
  }
  ASSERT_FALSE(last);
  EXPECT_EQ(last.error().code, 552);
}

LocalSubmission dash_t() {
  LocalSubmission options;
  options.extract_recipients = true;
  options.sender = "cron@example.test";
  options.domain = "example.test";
  return options;
}

TEST(PrepareHeader, DashTTakesToCcBccAndRemovesBcc) {
  auto header = header_of({"To: Ann <ann@example.org>, root", "Cc: grp: bob@example.net;",
                           "Bcc: hidden@example.com", "Subject: s"});
  ASSERT_TRUE(header);
  auto prepared = prepare_header(*header, dash_t(), "DATE", "ID@host");
  ASSERT_TRUE(prepared);
  EXPECT_EQ(prepared->recipients,
            (std::vector<std::string>{"ann@example.org", "root@example.test", "bob@example.net",
                                      "hidden@example.com"}));
  EXPECT_EQ(prepared->text.find("Bcc"), std::string::npos);
  EXPECT_NE(
      prepared->text.find("From: cron@example.test\r\nDate: DATE\r\nMessage-ID: <ID@host>\r\n"),
      std::string::npos);
}

TEST(PrepareHeader, ResentFieldsWinOverPlainOnesWithDashT) {
  auto header = header_of(
      {"To: old@example.org", "Resent-To: new@example.org", "Resent-Bcc: quiet@example.org"});
  auto prepared = prepare_header(*header, dash_t(), "D", "I");
  ASSERT_TRUE(prepared);
  EXPECT_EQ(prepared->recipients,
            (std::vector<std::string>{"new@example.org", "quiet@example.org"}));
  EXPECT_EQ(prepared->text.find("Resent-Bcc"), std::string::npos);
}

TEST(PrepareHeader, BccIsRemovedEvenWithoutDashT) {
  auto header =
      header_of({"Bcc: x@example.org", "From: me@example.org", "Date: d", "Message-ID: <m@x>"});
  LocalSubmission options;
  auto prepared = prepare_header(*header, options, "D", "I");
  ASSERT_TRUE(prepared);
  EXPECT_TRUE(prepared->recipients.empty());
  EXPECT_EQ(prepared->text, "From: me@example.org\r\nDate: d\r\nMessage-ID: <m@x>\r\n");
}

TEST(PrepareHeader, BadRecipientFieldIsAnError) {
  auto header = header_of({"To: <unterminated@example.org"});
  auto prepared = prepare_header(*header, dash_t(), "D", "I");
  ASSERT_FALSE(prepared);
  EXPECT_EQ(prepared.error().code, 554);
}

TEST(PrepareHeader, FullNameCannotInjectHeaderLines) {
  HeaderSection header;
  LocalSubmission options;
  options.sender = "u@example.test";
  options.full_name = "Evil\r\nBcc: x@example.org";
  auto prepared = prepare_header(header, options, "D", "I");
  ASSERT_TRUE(prepared);
  EXPECT_NE(prepared->text.find("From: \"EvilBcc: x@example.org\" <u@example.test>\r\n"),
            std::string::npos)
      << prepared->text;
}

TEST(PrepareHeader, NullSenderGetsMailerDaemonFrom) {
  HeaderSection header;
  auto prepared = prepare_header(header, LocalSubmission{}, "D", "I");
  ASSERT_TRUE(prepared);
  EXPECT_TRUE(prepared->text.starts_with("From: MAILER-DAEMON\r\n"));
}

TEST(QualifyAddress, AddsTheDomainToBareNamesOnly) {
  EXPECT_EQ(qualify_address("root", "example.test"), "root@example.test");
  EXPECT_EQ(qualify_address("a@b.example", "example.test"), "a@b.example");
}

TEST(Rfc5322Date, HasDayMonthYearAndZone) {
  std::string date = rfc5322_date(0);
  EXPECT_NE(date.find("1970"), std::string::npos);
  EXPECT_EQ(date[3], ',');
}

ByteSource from_string(const std::string& text, size_t piece) {
  auto pos = std::make_shared<size_t>(0);
  return [text, pos, piece](char* buffer, size_t size) -> Result<size_t> {
    size_t n = std::min({size, piece, text.size() - *pos});
    std::copy_n(text.data() + *pos, n, buffer);
    *pos += n;
    return n;
  };
}

TEST(PostdropStream, RoundTripsEnvelopeAndChunkedContent) {
  PostdropEnvelope envelope{"", {"a@example.org", "b@example.org"}};
  std::string stream = encode_postdrop_envelope(envelope) + encode_postdrop_chunk_header(5) +
                       "hello" + encode_postdrop_chunk_header(3) + "abc" +
                       encode_postdrop_chunk_header(0);
  PostdropReader reader(from_string(stream, 4));
  auto read = reader.read_envelope();
  ASSERT_TRUE(read);
  EXPECT_EQ(read->sender, "");
  EXPECT_EQ(read->recipients, envelope.recipients);
  std::string content;
  ASSERT_TRUE(reader.read_content([&](std::string_view chunk) -> Status {
    content += chunk;
    return {};
  }));
  EXPECT_EQ(content, "helloabc");
}

TEST(PostdropStream, StreamWithoutTheEndMarkerIsNotAMessage) {
  std::string stream = "S a@example.org\nR b@example.org\n\n5\nhello";
  PostdropReader reader(from_string(stream, 100));
  ASSERT_TRUE(reader.read_envelope());
  auto status = reader.read_content([](std::string_view) -> Status { return {}; });
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, 66);
}

TEST(PostdropStream, BadAddressesAndMissingRecipientsAreRefused) {
  EXPECT_FALSE(
      PostdropReader(from_string("S a@b.example\nR not an address\n\n", 100)).read_envelope());
  EXPECT_FALSE(PostdropReader(from_string("S a@b.example\n\n", 100)).read_envelope());
  EXPECT_FALSE(PostdropReader(from_string("X junk\n\n", 100)).read_envelope());
}

}  // namespace
}  // namespace gm::mail
