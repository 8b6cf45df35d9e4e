// literal8 (RFC 3516 4.2/4.4, "~{n}" and "~{n+}") in the command reader:
// NUL octets pass, the announcement's limits are those of "{n}", and the
// APPEND UTF8 form (RFC 6855 4) nests one in a list.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mail/imap_parser.hpp"

namespace gm::mail {
namespace {

using namespace std::string_view_literals;

std::vector<ImapReaderResult> read_all(ImapCommandReader& reader, std::string_view input) {
  std::vector<ImapReaderResult> out;
  while (!input.empty()) {
    input.remove_prefix(reader.feed(input));
    while (auto r = reader.take()) out.push_back(std::move(*r));
  }
  return out;
}

TEST(ImapLiteral8, SynchronizingLiteral8GetsAContinuationAndKeepsNul) {
  ImapCommandReader reader;
  int continuations = 0;
  reader.on_continuation([&] { ++continuations; });
  auto out = read_all(reader, "a APPEND x ~{5}\r\n\0\1\0\2\0\r\n"sv);
  ASSERT_EQ(out.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<ImapCommand>(out[0]));
  const auto& args = std::get<ImapCommand>(out[0]).args;
  ASSERT_EQ(args.size(), 2u);
  EXPECT_TRUE(args[1].literal8);
  EXPECT_EQ(args[1].text, "\0\1\0\2\0"sv);
  EXPECT_EQ(continuations, 1);
}

TEST(ImapLiteral8, NonSynchronizingLiteral8OverTheLimitIsBadAndSkipped) {
  ImapCommandReader reader(ImapReaderOptions{.max_literal = 4});
  auto out = read_all(reader, "a APPEND x ~{6+}\r\n\0\0\0\0\0\0\r\nb NOOP\r\n"sv);
  ASSERT_EQ(out.size(), 2u);
  ASSERT_TRUE(std::holds_alternative<ImapSyntaxError>(out[0]));
  EXPECT_EQ(std::get<ImapSyntaxError>(out[0]).kind, ImapErrorKind::kBad);
  EXPECT_EQ(std::get<ImapSyntaxError>(out[0]).code, "TOOBIG");
  ASSERT_TRUE(std::holds_alternative<ImapCommand>(out[1]));
  EXPECT_EQ(std::get<ImapCommand>(out[1]).name, "NOOP");
}

TEST(ImapLiteral8, HugeSynchronizingAppendLiteral8IsNoTooBigWithoutContinuation) {
  ImapCommandReader reader;
  int continuations = 0;
  reader.on_continuation([&] { ++continuations; });
  auto out = read_all(reader, "a APPEND x ~{18446744073709551616}\r\nb NOOP\r\n");
  ASSERT_EQ(out.size(), 2u);
  ASSERT_TRUE(std::holds_alternative<ImapSyntaxError>(out[0]));
  EXPECT_EQ(std::get<ImapSyntaxError>(out[0]).kind, ImapErrorKind::kNo);
  EXPECT_EQ(std::get<ImapSyntaxError>(out[0]).code, "TOOBIG");
  EXPECT_EQ(continuations, 0);
}

TEST(ImapLiteral8, MalformedAnnouncementsAreBad) {
  for (std::string_view line : {"a APPEND x ~{}\r\n", "a APPEND x ~{1a}\r\n", "a APPEND x ~{+}\r\n",
                                "a APPEND x ~{-1}\r\n"}) {
    ImapCommandReader reader;
    auto out = read_all(reader, line);
    ASSERT_EQ(out.size(), 1u) << line;
    ASSERT_TRUE(std::holds_alternative<ImapSyntaxError>(out[0])) << line;
    EXPECT_EQ(std::get<ImapSyntaxError>(out[0]).kind, ImapErrorKind::kBad) << line;
  }
}

TEST(ImapLiteral8, Utf8AppendNestsOneLiteral8InAList) {
  ImapCommandReader reader;
  auto out = read_all(reader, "a APPEND x UTF8 (~{3+}\r\n\xc3\xa9!)\r\n");
  ASSERT_EQ(out.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<ImapCommand>(out[0]));
  const auto& args = std::get<ImapCommand>(out[0]).args;
  ASSERT_EQ(args.size(), 3u);
  EXPECT_TRUE(args[1].atom_is("UTF8"));
  ASSERT_TRUE(args[2].is_list());
  ASSERT_EQ(args[2].list.size(), 1u);
  EXPECT_TRUE(args[2].list[0].literal8);
  EXPECT_EQ(args[2].list[0].text, "\xc3\xa9!");
}

}  // namespace
}  // namespace gm::mail
