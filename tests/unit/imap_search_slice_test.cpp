// SEARCH evaluation in maa-mail (imap_search_eval.hpp): in slices bounded by
// file reads, with cheap keys ordered first, header keys answered from the
// HeaderCache, and sets beyond the mailbox matching nothing.
#include <gtest/gtest.h>

#include "imap_read_one.hpp"
#include "imap_search_eval.hpp"
#include "mailbox_test_support.hpp"

namespace gm::maa {
namespace {

mail::SearchProgram program(const std::string& criteria) {
  auto r = mail::imap_read_one("t SEARCH " + criteria + "\r\n");
  EXPECT_TRUE(r && std::holds_alternative<mail::ImapCommand>(*r));
  auto p = mail::parse_search(std::get<mail::ImapCommand>(*r).args);
  EXPECT_TRUE(p.ok()) << criteria;
  return std::move(*p);
}

std::string message(int n) {
  return "From: user" + std::to_string(n % 5) +
         "@example.org\r\nSubject: " + (n % 7 == 0 ? "the needle " : "hay ") + std::to_string(n) +
         "\r\n\r\nbody " + (n % 3 == 0 ? "haystackword" : "plain") + "\r\n";
}

class SearchSlices : public ::testing::Test {
 protected:
  static constexpr int kMessages = 50;
  void SetUp() override {
    auto opened = mail::MailboxFolder::open(dir.root());
    ASSERT_TRUE(opened.ok());
    folder = std::move(*opened);
    for (int n = 1; n <= kMessages; ++n) {
      uint8_t flags = n % 10 == 0 ? mail::kFlagged : 0;
      ASSERT_TRUE(folder->append(message(n), flags).ok());
    }
    view.reset(folder->messages());
  }
  std::vector<uint32_t> expected(const std::function<bool(int)>& match) const {
    std::vector<uint32_t> out;
    for (int n = 1; n <= kMessages; ++n)
      if (match(n)) out.push_back(static_cast<uint32_t>(n));
    return out;
  }
  // Runs to the end with at most max_reads file reads per slice; *slices counts them.
  std::vector<uint32_t> run(const std::string& criteria, size_t max_reads, int* slices) {
    auto p = program(criteria);
    SearchEvaluator eval(*folder, view, &cache);
    EXPECT_TRUE(eval.prepare(p.root).ok());
    *slices = 1;
    while (!eval.run_slice(p.root, max_reads)) ++*slices;
    return eval.take_hits();
  }

  mail::testing::TempMaildir dir;
  std::unique_ptr<mail::MailboxFolder> folder;
  MailboxView view;
  mail::HeaderCache cache;
};

TEST_F(SearchSlices, ABodySearchRunsInSlicesAndFindsTheSameMessages) {
  int slices = 0;
  auto hits = run("BODY haystackword", 10, &slices);
  EXPECT_EQ(hits, expected([](int n) { return n % 3 == 0; }));
  EXPECT_EQ(slices, kMessages / 10);  // every message read, 10 per slice
}

TEST_F(SearchSlices, FlagKeysReadNoFileAndFinishInOneSlice) {
  int slices = 0;
  // A budget of 0 reads ends the slice at the first read: there must be none.
  auto hits = run("FLAGGED", 0, &slices);
  EXPECT_EQ(slices, 1);
  EXPECT_EQ(hits, expected([](int n) { return n % 10 == 0; }));
  EXPECT_EQ(cache.stats().misses, 0u);
}

TEST_F(SearchSlices, CheapKeysDecideFirstSoOnlyTheirMatchesAreRead) {
  int slices = 0;
  // Written expensive-first; FLAGGED must still decide first: 5 flagged messages read.
  auto hits = run("BODY haystackword FLAGGED", 1000, &slices);
  EXPECT_EQ(hits, expected([](int n) { return n % 30 == 0; }));
  hits = run("SUBJECT needle FLAGGED", 1000, &slices);
  EXPECT_EQ(hits, expected([](int n) { return n % 70 == 0; }));
  EXPECT_EQ(cache.stats().misses, 5u);  // only the flagged ones' headers
}

TEST_F(SearchSlices, HeaderKeysComeFromTheCacheTheSecondTime) {
  int slices = 0;
  auto hits = run("SUBJECT NEEDLE", 1000, &slices);
  EXPECT_EQ(hits, expected([](int n) { return n % 7 == 0; }));
  EXPECT_EQ(cache.stats().misses, uint64_t{kMessages});
  hits = run("OR FROM user3@example.org SUBJECT needle", 0, &slices);
  EXPECT_EQ(slices, 1);  // all from the cache: no read
  EXPECT_EQ(hits, expected([](int n) { return n % 5 == 3 || n % 7 == 0; }));
  EXPECT_EQ(cache.stats().misses, uint64_t{kMessages});
}

TEST_F(SearchSlices, SetsBeyondTheMailboxMatchNothing) {
  int slices = 0;
  EXPECT_EQ(run("1:4294967295", 0, &slices), expected([](int) { return true; }));
  EXPECT_TRUE(run("51:60", 0, &slices).empty());
  mail::testing::TempMaildir empty_dir;
  auto empty = mail::MailboxFolder::open(empty_dir.root());
  ASSERT_TRUE(empty.ok());
  MailboxView empty_view;
  empty_view.reset((*empty)->messages());
  for (std::string criteria : {"1:4294967295", "*", "1:*"}) {
    auto p = program(criteria);
    SearchEvaluator eval(**empty, empty_view, &cache);
    ASSERT_TRUE(eval.prepare(p.root).ok()) << criteria;
    EXPECT_TRUE(eval.run_slice(p.root));
    EXPECT_TRUE(eval.hits().empty());
  }
}

TEST_F(SearchSlices, DollarIsTheSavedResultAsNumbersOrUids) {
  // RFC 5182: "$" names the saved messages; by UID, or by their number now.
  view.reset(std::span(folder->messages()).subspan(2));  // seq 1 is UID 3
  for (auto [criteria, want] : {std::pair{"$", std::vector<uint32_t>{2, 8}},
                                std::pair{"UID $", std::vector<uint32_t>{2, 8}},
                                std::pair{"NOT $ 1:3", std::vector<uint32_t>{1, 3}}}) {
    auto p = program(criteria);
    SearchEvaluator eval(*folder, view, &cache, {4, 10, 99});  // UID 99 is not there
    ASSERT_TRUE(eval.prepare(p.root).ok());
    EXPECT_TRUE(eval.run_slice(p.root));
    EXPECT_EQ(eval.hits(), want) << criteria;
  }
}

}  // namespace
}  // namespace gm::maa
