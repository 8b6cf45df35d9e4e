#include "mail/smtp_data_reader.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace gm::mail {
namespace {

struct Outcome {
  std::string content;
  size_t consumed = 0;
  bool done = false;
  bool bare = false;
  bool too_big = false;
};

Outcome read_all(std::string_view input, BareLineEnding mode = BareLineEnding::kReject,
                 uint64_t max = 1 << 20) {
  SmtpDataReader reader(mode, max);
  Outcome out;
  out.consumed = reader.feed(input, out.content);
  out.done = reader.done();
  out.bare = reader.saw_bare_line_ending();
  out.too_big = reader.too_big();
  return out;
}

// Every split of the input into two feeds gives the same result as one feed.
void expect_split_invariant(std::string_view input, BareLineEnding mode) {
  Outcome whole = read_all(input, mode);
  for (size_t cut = 0; cut <= input.size(); ++cut) {
    SmtpDataReader reader(mode, 1 << 20);
    std::string content;
    size_t used = reader.feed(input.substr(0, cut), content);
    if (!reader.done()) used += reader.feed(input.substr(cut), content);
    EXPECT_EQ(used, whole.consumed) << "cut at " << cut;
    EXPECT_EQ(content, whole.content) << "cut at " << cut;
    EXPECT_EQ(reader.done(), whole.done) << "cut at " << cut;
    EXPECT_EQ(reader.saw_bare_line_ending(), whole.bare) << "cut at " << cut;
  }
}

TEST(SmtpDataReader, EndsOnlyAtCrLfDotCrLf) {
  Outcome o = read_all("Subject: x\r\n\r\nbody\r\n.\r\nMAIL FROM:<a@b>\r\n");
  EXPECT_TRUE(o.done);
  EXPECT_FALSE(o.bare);
  EXPECT_EQ(o.content, "Subject: x\r\n\r\nbody\r\n");
  EXPECT_EQ(o.consumed, std::string("Subject: x\r\n\r\nbody\r\n.\r\n").size());
}

TEST(SmtpDataReader, EmptyMessageRightAfterDataCommand) {
  Outcome o = read_all(".\r\nQUIT\r\n");
  EXPECT_TRUE(o.done);
  EXPECT_EQ(o.content, "");
  EXPECT_EQ(o.consumed, 3u);
}

TEST(SmtpDataReader, RemovesStuffingDots) {
  Outcome o = read_all("..\r\n...x\r\n.y\r\na.b\r\n.\r\n");
  EXPECT_TRUE(o.done);
  EXPECT_EQ(o.content, ".\r\n..x\r\ny\r\na.b\r\n");
}

TEST(SmtpDataReader, SmugglingVariantsNeverEndTheMessage) {
  const char* variants[] = {
      "a\n.\nMAIL FROM:<x@y>\r\n",    // <LF>.<LF>
      "a\r.\rMAIL FROM:<x@y>\r\n",    // <CR>.<CR>
      "a\n.\r\nMAIL FROM:<x@y>\r\n",  // <LF>.<CR><LF>
      "a\r\n.\nMAIL FROM:<x@y>\r\n",  // <CR><LF>.<LF>
      "a\r.\r\nMAIL FROM:<x@y>\r\n",  // <CR>.<CR><LF>
      "a\r\n.\rMAIL FROM:<x@y>\r\n",  // <CR><LF>.<CR>
      "a\r\r\n.\r\r\nMAIL FROM:<x@y>\r\n",
      "a\n\r\n.\r\n",  // ends (real CRLF.CRLF), but the message has a bare LF
  };
  for (const char* v : variants) {
    for (BareLineEnding mode : {BareLineEnding::kReject, BareLineEnding::kNormalize}) {
      Outcome o = read_all(v, mode);
      EXPECT_TRUE(o.bare) << v;
      // Only a real <CRLF>.<CRLF> ends, and then nothing after it was used.
      std::string_view text(v);
      size_t end = text.find("\r\n.\r\n");
      if (end == std::string_view::npos) {
        EXPECT_FALSE(o.done) << v;
        EXPECT_EQ(o.consumed, text.size()) << v;
      } else {
        EXPECT_TRUE(o.done) << v;
        EXPECT_EQ(o.consumed, end + 5) << v;
      }
      expect_split_invariant(v, mode);
    }
  }
}

TEST(SmtpDataReader, RejectModeKeepsNothingAfterABareLineEnding) {
  Outcome o = read_all("ok\r\nbad\nmore\r\n.\r\n");
  EXPECT_TRUE(o.done);
  EXPECT_TRUE(o.bare);
  EXPECT_EQ(o.content, "ok\r\nbad");
}

TEST(SmtpDataReader, NormalizeModeStoresCrLf) {
  Outcome o = read_all("a\nb\rc\r\n.\n..d\r\n.\r\n", BareLineEnding::kNormalize);
  EXPECT_TRUE(o.done);
  EXPECT_TRUE(o.bare);
  EXPECT_EQ(o.content, "a\r\nb\r\nc\r\n.\r\n.d\r\n");
}

TEST(SmtpDataReader, LfDotCrLfIsStoredAsDotLineInNormalizeMode) {
  Outcome o = read_all("a\n.\r\nb\r\n.\r\n", BareLineEnding::kNormalize);
  EXPECT_TRUE(o.done);
  EXPECT_EQ(o.content, "a\r\n.\r\nb\r\n");
}

TEST(SmtpDataReader, SplitsAnywhereGiveTheSameResult) {
  expect_split_invariant("x\r\n..y\r\n.\r\n\r\n.\r\nQUIT\r\n", BareLineEnding::kReject);
  expect_split_invariant("x\r\n\r\n.\r\n", BareLineEnding::kReject);
  expect_split_invariant(".\r\n", BareLineEnding::kReject);
  expect_split_invariant("..\r\n.\r\n", BareLineEnding::kNormalize);
}

// Byte at a time, the fast path never copies a run: the state machine's
// definition. Random inputs fed whole must give exactly the same.
TEST(SmtpDataReader, FastPathMatchesByteAtATimeOnRandomInput) {
  std::mt19937 random(5);
  const std::string alphabet = "\r\n.ab";
  for (BareLineEnding mode : {BareLineEnding::kReject, BareLineEnding::kNormalize}) {
    for (int round = 0; round < 3000; ++round) {
      std::string input;
      size_t n = random() % 60;
      for (size_t i = 0; i < n; ++i) input += alphabet[random() % alphabet.size()];
      Outcome whole = read_all(input, mode);
      SmtpDataReader reader(mode, 1 << 20);
      std::string content;
      size_t used = 0;
      for (size_t i = 0; i < input.size() && !reader.done(); ++i)
        used += reader.feed(std::string_view(input).substr(i, 1), content);
      ASSERT_EQ(used, whole.consumed) << input;
      ASSERT_EQ(content, whole.content) << input;
      ASSERT_EQ(reader.done(), whole.done) << input;
      ASSERT_EQ(reader.saw_bare_line_ending(), whole.bare) << input;
    }
  }
}

TEST(SmtpDataReader, CountsButDropsContentBeyondTheLimit) {
  Outcome o = read_all("0123456789\r\n.\r\n", BareLineEnding::kReject, 5);
  EXPECT_TRUE(o.done);
  EXPECT_TRUE(o.too_big);
  EXPECT_EQ(o.content, "01234");
}

TEST(SmtpDataReader, ExactlyAtTheLimitIsNotTooBig) {
  Outcome o = read_all("abc\r\n.\r\n", BareLineEnding::kReject, 5);
  EXPECT_FALSE(o.too_big);
  EXPECT_EQ(o.content, "abc\r\n");
}

TEST(SmtpDataReader, EightBitAndNulBytesPassThrough) {
  std::string body("caf\xc3\xa9 \0 \xff\r\n", 11);
  Outcome o = read_all(body + ".\r\n");
  EXPECT_TRUE(o.done);
  EXPECT_EQ(o.content, body);
}

}  // namespace
}  // namespace gm::mail
