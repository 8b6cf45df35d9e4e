#include "mail/imap_parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gm::mail {
namespace {

using namespace std::string_view_literals;

// Feeds `input` in pieces of `chunk` octets and collects every result.
std::vector<ImapReaderResult> read_all(ImapCommandReader& reader, std::string_view input,
                                       size_t chunk = 1 << 20) {
  std::vector<ImapReaderResult> out;
  while (!input.empty()) {
    std::string_view piece = input.substr(0, chunk);
    while (!piece.empty()) {
      size_t used = reader.feed(piece);
      piece.remove_prefix(used);
      input.remove_prefix(used);
      while (auto r = reader.take()) out.push_back(std::move(*r));
    }
  }
  return out;
}

std::vector<ImapReaderResult> read_all(std::string_view input, size_t chunk = 1 << 20) {
  ImapCommandReader reader;
  return read_all(reader, input, chunk);
}

const ImapCommand& command(const ImapReaderResult& r) {
  EXPECT_TRUE(std::holds_alternative<ImapCommand>(r));
  static const ImapCommand empty;
  if (!std::holds_alternative<ImapCommand>(r)) return empty;
  return std::get<ImapCommand>(r);
}

const ImapSyntaxError& error(const ImapReaderResult& r) {
  EXPECT_TRUE(std::holds_alternative<ImapSyntaxError>(r));
  static const ImapSyntaxError empty;
  if (!std::holds_alternative<ImapSyntaxError>(r)) return empty;
  return std::get<ImapSyntaxError>(r);
}

TEST(ImapParser, TagNameAndAtoms) {
  auto out = read_all("a1 noop\r\nA2 Select INBOX\r\n");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(command(out[0]).tag, "a1");
  EXPECT_EQ(command(out[0]).name, "NOOP");
  EXPECT_TRUE(command(out[0]).args.empty());
  EXPECT_EQ(command(out[1]).name, "SELECT");
  ASSERT_EQ(command(out[1]).args.size(), 1u);
  EXPECT_TRUE(command(out[1]).args[0].atom_is("inbox"));
}

TEST(ImapParser, UidPrefixSetsFlagAndSubCommand) {
  auto out = read_all("x UID fetch 1:* (FLAGS)\r\n");
  ASSERT_EQ(out.size(), 1u);
  const auto& c = command(out[0]);
  EXPECT_TRUE(c.uid);
  EXPECT_EQ(c.name, "FETCH");
  ASSERT_EQ(c.args.size(), 2u);
  EXPECT_EQ(c.args[0].text, "1:*");
  ASSERT_TRUE(c.args[1].is_list());
  EXPECT_TRUE(c.args[1].list[0].atom_is("FLAGS"));
}

TEST(ImapParser, QuotedStringsUndoEscapes) {
  auto out = read_all("a LOGIN \"fred\" \"a\\\"b\\\\c d\"\r\n");
  ASSERT_EQ(out.size(), 1u);
  const auto& c = command(out[0]);
  ASSERT_EQ(c.args.size(), 2u);
  EXPECT_EQ(c.args[0].kind, ImapArg::Kind::kQuoted);
  EXPECT_EQ(c.args[1].text, "a\"b\\c d");
}

TEST(ImapParser, QuotedStringRejectsOtherEscapes) {
  auto out = read_all("a LOGIN \"a\\nb\" x\r\nb NOOP\r\n");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(error(out[0]).tag, "a");
  EXPECT_EQ(error(out[0]).kind, ImapErrorKind::kBad);
  EXPECT_EQ(command(out[1]).name, "NOOP");
}

TEST(ImapParser, NestedListsAndNil) {
  auto out = read_all("a STORE 1 +FLAGS (\\Seen (a (b)) NIL)\r\n");
  ASSERT_EQ(out.size(), 1u);
  const auto& l = command(out[0]).args[2];
  ASSERT_TRUE(l.is_list());
  ASSERT_EQ(l.list.size(), 3u);
  EXPECT_EQ(l.list[0].text, "\\Seen");
  EXPECT_TRUE(l.list[1].list[1].is_list());
  EXPECT_TRUE(l.list[2].is_nil());
}

TEST(ImapParser, SectionSpecStaysOneAtom) {
  auto out = read_all("a FETCH 1 (BODY.PEEK[HEADER.FIELDS (From \"To\")]<0.100> UID)\r\n");
  ASSERT_EQ(out.size(), 1u);
  const auto& l = command(out[0]).args[1].list;
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[0].text, "BODY.PEEK[HEADER.FIELDS (From \"To\")]<0.100>");
  EXPECT_TRUE(l[1].atom_is("UID"));
}

TEST(ImapParser, SynchronizingLiteralAsksForContinuation) {
  ImapCommandReader reader;
  int continuations = 0;
  reader.on_continuation([&] { ++continuations; });
  auto out = read_all(reader, "a LOGIN {4}\r\n");
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(continuations, 1);
  out = read_all(reader, "fred {6}\r\n");
  EXPECT_EQ(continuations, 2);
  out = read_all(reader, "se cr\"\r\n");
  ASSERT_EQ(out.size(), 1u);
  const auto& c = command(out[0]);
  ASSERT_EQ(c.args.size(), 2u);
  EXPECT_EQ(c.args[0].kind, ImapArg::Kind::kLiteral);
  EXPECT_EQ(c.args[0].text, "fred");
  EXPECT_EQ(c.args[1].text, "se cr\"");
  EXPECT_TRUE(reader.idle());
}

TEST(ImapParser, NonSynchronizingAndLiteral8NeedNoContinuation) {
  ImapCommandReader reader;
  int continuations = 0;
  reader.on_continuation([&] { ++continuations; });
  auto out = read_all(reader, "a APPEND x ~{3+}\r\na\0b {0+}\r\n\r\n"sv, 1);
  EXPECT_EQ(continuations, 0);
  ASSERT_EQ(out.size(), 1u);
  const auto& c = command(out[0]);
  ASSERT_EQ(c.args.size(), 3u);
  EXPECT_TRUE(c.args[1].literal8);
  EXPECT_EQ(c.args[1].text, std::string("a\0b", 3));
  EXPECT_EQ(c.args[2].text, "");
}

TEST(ImapParser, ByteAtATimeEqualsWhole) {
  std::string input =
      "a1 SEARCH OR (FROM \"x y\") NOT SEEN\r\na2 LOGIN {3+}\r\nabc pw\r\na3 LOGOUT\r\n";
  auto whole = read_all(input);
  auto bytes = read_all(input, 1);
  ASSERT_EQ(whole.size(), 3u);
  ASSERT_EQ(bytes.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(command(whole[i]).raw, command(bytes[i]).raw);
  EXPECT_EQ(command(bytes[1]).args[0].text, "abc");
}

TEST(ImapParser, UnbalancedParenthesesAreBadAndReaderRecovers) {
  auto out = read_all("a FETCH 1 (FLAGS\r\nb FETCH 1 FLAGS)\r\nc NOOP\r\n");
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(error(out[0]).tag, "a");
  EXPECT_EQ(error(out[1]).tag, "b");
  EXPECT_EQ(command(out[2]).tag, "c");
}

TEST(ImapParser, InvalidTagGivesUntaggedBad) {
  auto out = read_all("a+b NOOP\r\n(x NOOP\r\n");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(error(out[0]).tag, "");
  EXPECT_EQ(error(out[1]).tag, "");
}

TEST(ImapParser, MissingCommandName) {
  auto out = read_all("tag\r\ntag2 \"x\"\r\n");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(error(out[0]).tag, "tag");
  EXPECT_EQ(error(out[1]).tag, "tag2");
}

TEST(ImapParser, EmptyLinesBetweenCommandsIgnored) {
  auto out = read_all("\r\n\r\na NOOP\r\n");
  ASSERT_EQ(out.size(), 1u);
}

TEST(ImapParser, UnterminatedLiteralYieldsNothingUntilComplete) {
  ImapCommandReader reader;
  auto out = read_all(reader, "a LOGIN {10+}\r\nabc");
  EXPECT_TRUE(out.empty());
  EXPECT_FALSE(reader.idle());
  out = read_all(reader, "defghij x\r\n");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(command(out[0]).args[0].text, "abcdefghij");
}

TEST(ImapParser, LineLongerThanLimitIsBadAndSkippedWithoutBuffering) {
  std::string input = "a SEARCH TEXT " + std::string(kImapMaxLine + 10, 'x') + "\r\nb NOOP\r\n";
  ImapCommandReader reader;
  auto out = read_all(reader, input, 4096);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(error(out[0]).tag, "a");
  EXPECT_EQ(command(out[1]).tag, "b");
}

TEST(ImapParser, LongLineEndingInNonSyncLiteralSkipsTheLiteralToo) {
  std::string input = "a X " + std::string(kImapMaxLine, 'x') + " {5+}\r\nb NOO x\r\nc NOOP\r\n";
  auto out = read_all(input, 1000);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(error(out[0]).tag, "a");
  EXPECT_EQ(command(out[1]).tag, "c");
}

TEST(ImapParser, LiteralAnnouncing4GiBSynchronizingIsRefusedAtOnce) {
  ImapCommandReader reader;
  int continuations = 0;
  reader.on_continuation([&] { ++continuations; });
  auto out = read_all(reader, "a APPEND INBOX {4294967296}\r\nb NOOP\r\n");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(continuations, 0);
  EXPECT_EQ(error(out[0]).tag, "a");
  EXPECT_EQ(error(out[0]).kind, ImapErrorKind::kNo);  // RFC 7889 APPENDLIMIT
  EXPECT_EQ(error(out[0]).code, "TOOBIG");
  EXPECT_EQ(command(out[1]).name, "NOOP");
}

TEST(ImapParser, TooBigNonSyncLiteralIsBadAndItsDataSkipped) {
  ImapCommandReader reader(ImapReaderOptions{.max_literal = 10});
  auto out = read_all(reader, "a APPEND INBOX {20+}\r\n01234567890123456789 x\r\nb NOOP\r\n", 3);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(error(out[0]).kind, ImapErrorKind::kBad);
  EXPECT_EQ(error(out[0]).code, "TOOBIG");
  EXPECT_EQ(command(out[1]).name, "NOOP");
}

TEST(ImapParser, LiteralWithTwentyFiveDigitsIsTooBig) {
  auto out = read_all("a LOGIN {9999999999999999999999999}\r\nb NOOP\r\n");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(error(out[0]).code, "TOOBIG");
}

TEST(ImapParser, LiteralMinusLimitsNonSyncTo4096) {
  ImapCommandReader reader(ImapReaderOptions{.literal_minus = true});
  auto out = read_all(reader, "a LOGIN {4097+}\r\n" + std::string(4097, 'p') + " x\r\nb NOOP\r\n");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(error(out[0]).code, "TOOBIG");
  EXPECT_EQ(command(out[1]).name, "NOOP");
}

TEST(ImapParser, BufferedLiteralsAreBounded) {
  ImapCommandReader reader(ImapReaderOptions{.max_buffered_literals = 8});
  auto out = read_all(reader, "a LOGIN {5+}\r\nabcde {5}\r\nb NOOP\r\n");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(error(out[0]).code, "TOOBIG");
  EXPECT_EQ(command(out[1]).name, "NOOP");
}

struct CollectingSink : ImapLiteralSink {
  std::vector<std::string> chunks;
  void write(std::string_view chunk) override { chunks.emplace_back(chunk); }
};

TEST(ImapParser, AppendLiteralStreamsToSinkInChunks) {
  ImapCommandReader reader(ImapReaderOptions{.max_buffered_literals = 16});
  CollectingSink sink;
  std::string seen_mailbox;
  reader.on_literal([&](const ImapLiteralAnnounce& a) -> ImapLiteralSink* {
    if (a.name != "APPEND") return nullptr;
    seen_mailbox = std::string(a.args[0].text);
    return &sink;
  });
  std::string message(100000, 'm');
  auto out = read_all(reader, "a APPEND Sent (\\Seen) {100000+}\r\n" + message + "\r\n", 4096);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(seen_mailbox, "Sent");
  const auto& c = command(out[0]);
  ASSERT_EQ(c.args.size(), 3u);
  EXPECT_EQ(c.args[2].kind, ImapArg::Kind::kStreamedLiteral);
  EXPECT_EQ(c.args[2].literal_size, 100000u);
  EXPECT_TRUE(c.args[2].text.empty());
  EXPECT_GT(sink.chunks.size(), 10u);
  std::string joined;
  for (const auto& ch : sink.chunks) joined += ch;
  EXPECT_EQ(joined, message);
}

TEST(ImapParser, LiteralHookSeesWhetherTheLiteralIsNested) {
  ImapCommandReader reader;
  std::vector<bool> nested;
  reader.on_literal([&](const ImapLiteralAnnounce& a) -> ImapLiteralSink* {
    nested.push_back(a.nested);
    EXPECT_TRUE(a.uid);
    EXPECT_EQ(a.name, "X");
    return nullptr;
  });
  auto out = read_all(reader, "t UID X {1+}\r\na (b {1+}\r\nc)\r\n");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(nested, (std::vector<bool>{false, true}));
  EXPECT_EQ(command(out[0]).args[1].list[1].text, "c");
}

TEST(ImapParser, ListNestingLimit) {
  std::string ok =
      "a X " + std::string(kImapMaxListDepth, '(') + std::string(kImapMaxListDepth, ')') + "\r\n";
  std::string bad = "b X " + std::string(kImapMaxListDepth + 1, '(') +
                    std::string(kImapMaxListDepth + 1, ')') + "\r\n";
  auto out = read_all(ok + bad);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<ImapCommand>(out[0]));
  EXPECT_EQ(error(out[1]).tag, "b");
}

TEST(ImapParser, TenThousandParensInSearchAreBadNotACrash) {
  std::string input =
      "a SEARCH " + std::string(10000, '(') + "ALL" + std::string(10000, ')') + "\r\nb NOOP\r\n";
  auto out = read_all(input);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(error(out[0]).tag, "a");
  EXPECT_EQ(command(out[1]).name, "NOOP");
}

TEST(ImapParser, SearchAllowsDeeperNesting) {
  std::string input =
      "a UID SEARCH " + std::string(500, '(') + "ALL" + std::string(500, ')') + "\r\n";
  auto out = read_all(input);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(command(out[0]).name, "SEARCH");
}

TEST(ImapParser, ConfiguredLimitsApplyWithinTheirBounds) {
  ImapReaderOptions options;
  options.max_line = 2000;
  options.max_list_depth = 3;
  options.max_search_depth = 5;
  ImapCommandReader reader(options);
  auto out = read_all(reader, "a NOOP " + std::string(2100, 'x') + "\r\nb FETCH 1 (((FLAGS)))\r\n" +
                                  "c FETCH 1 ((((FLAGS))))\r\nd SEARCH ((((ALL))))\r\n" +
                                  "e SEARCH ((((((ALL))))))\r\n");
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(error(out[0]).text, "Command line too long");
  EXPECT_EQ(command(out[1]).name, "FETCH");
  EXPECT_EQ(error(out[2]).tag, "c");
  EXPECT_EQ(command(out[3]).name, "SEARCH");
  EXPECT_EQ(error(out[4]).tag, "e");
  // Out-of-range settings are pulled back: never above the parser's ceilings.
  options.max_line = 1ull << 40;
  options.max_search_depth = 1u << 30;
  options.max_list_depth = 1u << 30;
  ImapReaderOptions kept = options.clamped();
  EXPECT_EQ(kept.max_line, kImapMaxLineCeiling);
  EXPECT_EQ(kept.max_search_depth, kImapMaxSearchDepth);
  EXPECT_EQ(kept.max_list_depth, kImapMaxSearchDepth);
  options.max_line = 10;
  EXPECT_EQ(options.clamped().max_line, kImapMinLine);
}

TEST(ImapParser, RawLineModeForSasl) {
  ImapCommandReader reader;
  auto out = read_all(reader, "a AUTHENTICATE PLAIN\r\n");
  ASSERT_EQ(out.size(), 1u);
  reader.expect_raw_line();
  out = read_all(reader, "AGZyZWQAc2VjcmV0\r\nb NOOP\r\n");
  ASSERT_EQ(out.size(), 2u);
  ASSERT_TRUE(std::holds_alternative<ImapRawLine>(out[0]));
  EXPECT_EQ(std::get<ImapRawLine>(out[0]).text, "AGZyZWQAc2VjcmV0");
  EXPECT_EQ(command(out[1]).name, "NOOP");
}

TEST(ImapParser, OverlongRawLineIsAnErrorAndCommandsFollow) {
  ImapCommandReader reader;
  reader.expect_raw_line();
  auto out = read_all(reader, std::string(kImapMaxLine + 100, 'A') + "\r\nb NOOP\r\n", 8192);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(error(out[0]).tag, "");
  EXPECT_EQ(command(out[1]).name, "NOOP");
}

TEST(ImapParser, ControlCharactersInAtomsAreBad) {
  auto out = read_all(
      "a SELECT IN\x01"
      "BOX\r\nb NOOP\r\n");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(error(out[0]).tag, "a");
}

TEST(ImapParser, BareLfAccepted) {
  auto out = read_all("a NOOP\nb NOOP\n");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(command(out[1]).tag, "b");
}

}  // namespace
}  // namespace gm::mail
