#include "net/line_splitter.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gm::net {
namespace {

// Feeds input in pieces of `step` bytes and records what comes out:
// lines as text, over-long lines as "<too long>".
std::vector<std::string> split_all(LineSplitter& s, std::string_view input, size_t step) {
  std::vector<std::string> out;
  while (!input.empty()) {
    std::string_view piece = input.substr(0, step);
    while (!piece.empty()) {
      LineEvent e = s.feed(piece);
      EXPECT_LE(e.consumed, piece.size());
      if (e.kind == LineEvent::Kind::kLine) out.emplace_back(e.line);
      if (e.kind == LineEvent::Kind::kTooLong) out.emplace_back("<too long>");
      EXPECT_LE(s.pending(), s.max_line() + 1);
      if (e.consumed == 0) break;
      piece.remove_prefix(e.consumed);
    }
    input.remove_prefix(std::min(step, input.size()));
  }
  return out;
}

TEST(LineSplitter, SplitsCrlfAndBareLf) {
  for (size_t step : {1u, 2u, 3u, 100u}) {
    LineSplitter s(10);
    EXPECT_EQ(split_all(s, "NOOP\r\nECHO a\nQUIT\r\n", step),
              (std::vector<std::string>{"NOOP", "ECHO a", "QUIT"}))
        << step;
  }
}

TEST(LineSplitter, AcceptsLineOfExactlyTheLimit) {
  for (size_t step : {1u, 7u, 100u}) {
    LineSplitter s(10);
    EXPECT_EQ(split_all(s, "0123456789\r\n0123456789\n", step),
              (std::vector<std::string>{"0123456789", "0123456789"}))
        << step;
  }
}

TEST(LineSplitter, RefusesOneByteOverAndDiscardsTheRest) {
  for (size_t step : {1u, 5u, 100u}) {
    LineSplitter s(10);
    EXPECT_EQ(split_all(s, "0123456789A\r\nNEXT\r\n", step),
              (std::vector<std::string>{"<too long>", "NEXT"}))
        << step;
  }
}

TEST(LineSplitter, ReportsLongLineOnceAndBeforeItsEnd) {
  LineSplitter s(8);
  std::string flood(1 << 20, 'A');
  LineEvent e = s.feed(flood);
  EXPECT_EQ(e.kind, LineEvent::Kind::kTooLong);
  EXPECT_EQ(e.consumed, flood.size());
  EXPECT_TRUE(s.discarding());
  EXPECT_EQ(s.pending(), 0u);
  e = s.feed(flood);  // still the same line: nothing more to report
  EXPECT_EQ(e.kind, LineEvent::Kind::kNeedMore);
  EXPECT_EQ(split_all(s, "tail ECHO injected\r\nNOOP\r\n", 3), std::vector<std::string>{"NOOP"});
}

TEST(LineSplitter, StopsAfterEachLineSoTheCallerCanSwitchMode) {
  LineSplitter s(100);
  std::string_view input = "DATA 5\r\nhello";
  LineEvent e = s.feed(input);
  ASSERT_EQ(e.kind, LineEvent::Kind::kLine);
  EXPECT_EQ(e.line, "DATA 5");
  EXPECT_EQ(input.substr(e.consumed), "hello");
  EXPECT_EQ(s.pending(), 0u);
}

TEST(LineSplitter, ResetForgetsPartialLine) {
  LineSplitter s(100);
  EXPECT_EQ(s.feed("ECHO inj").kind, LineEvent::Kind::kNeedMore);
  s.reset();
  LineEvent e = s.feed("NOOP\r\n");
  EXPECT_EQ(e.line, "NOOP");
}

TEST(LineSplitter, CrAloneIsPartOfTheLine) {
  LineSplitter s(100);
  EXPECT_EQ(split_all(s, "a\rb\r\n\r\n", 1), (std::vector<std::string>{"a\rb", ""}));
}

}  // namespace
}  // namespace gm::net
