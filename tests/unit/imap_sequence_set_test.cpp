#include "mail/imap_sequence_set.hpp"

#include <gtest/gtest.h>

namespace gm::mail {
namespace {

std::vector<SeqRange> uids(std::string_view text, uint32_t highest) {
  auto set = SequenceSet::parse(text);
  EXPECT_TRUE(set.ok()) << text;
  if (!set.ok()) return {};
  return set->resolve_uids(highest);
}

TEST(ImapSequenceSet, ParsesNumbersRangesAndStar) {
  auto set = SequenceSet::parse("1,3:5,7:*,*");
  ASSERT_TRUE(set.ok());
  ASSERT_EQ(set->ranges().size(), 4u);
  EXPECT_EQ(set->ranges()[1], (SeqRange{3, 5}));
  EXPECT_EQ(set->ranges()[2], (SeqRange{7, kImapSeqStar}));
  EXPECT_EQ(set->to_string(), "1,3:5,7:*,*");
}

TEST(ImapSequenceSet, RejectsZeroLeadingZeroOverflowAndJunk) {
  for (std::string_view bad : {"", "0", "01", "1:0", "4294967296", "1,", ",1", "1::2", "a", "1:2:3",
                               "-1", "1 2", "$1", "*:"}) {
    EXPECT_FALSE(SequenceSet::parse(bad).ok()) << bad;
  }
  EXPECT_TRUE(SequenceSet::parse("4294967295").ok());
}

TEST(ImapSequenceSet, SavedResultDollar) {
  auto set = SequenceSet::parse("$");
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->is_saved());
  EXPECT_EQ(set->to_string(), "$");
}

TEST(ImapSequenceSet, ReversedRangesAreTheSame) {
  auto set = SequenceSet::parse("9:3");
  ASSERT_TRUE(set.ok());
  auto r = set->resolve_sequence(10);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0], (SeqRange{3, 9}));
}

TEST(ImapSequenceSet, SequenceNumbersAboveExistsAreAnError) {
  auto set = SequenceSet::parse("1:5");
  ASSERT_TRUE(set.ok());
  EXPECT_FALSE(set->resolve_sequence(4).ok());
  EXPECT_TRUE(set->resolve_sequence(5).ok());
}

TEST(ImapSequenceSet, StarInEmptyMailboxIsAnErrorForSequenceNumbers) {
  auto set = SequenceSet::parse("1:*");
  ASSERT_TRUE(set.ok());
  EXPECT_FALSE(set->resolve_sequence(0).ok());
  auto r = set->resolve_sequence(3);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0], (SeqRange{1, 3}));
}

TEST(ImapSequenceSet, FullUidRangeOnEmptyMailboxMatchesNothingWithoutExpanding) {
  auto r = uids("1:4294967295", 0);
  ASSERT_EQ(r.size(), 1u);  // one range, not four billion numbers
  EXPECT_EQ(ranges_count(r), 4294967295u);
  EXPECT_TRUE(uids("1:*", 0).empty());
  EXPECT_TRUE(uids("*", 0).empty());
}

TEST(ImapSequenceSet, FullRangeAsSequenceNumbersIsAnErrorBeyondExists) {
  auto set = SequenceSet::parse("1:4294967295");
  ASSERT_TRUE(set.ok());
  EXPECT_FALSE(set->resolve_sequence(0).ok());
  EXPECT_FALSE(set->resolve_sequence(5).ok());
  EXPECT_TRUE(set->resolve_sequence(4294967295u).ok());
}

TEST(ImapSequenceSet, UidStarIsHighestUidEvenBelowRangeStart) {
  // RFC 9051 6.4.9: "UID FETCH 100:*" with highest UID 42 names 42:100.
  auto r = uids("100:*", 42);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], (SeqRange{42, 100}));
  EXPECT_TRUE(ranges_contain(r, 42));
}

TEST(ImapSequenceSet, ResolvedRangesAreMergedAndSorted) {
  auto r = uids("10:12,1,2,3,11:20,22", 100);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0], (SeqRange{1, 3}));
  EXPECT_EQ(r[1], (SeqRange{10, 20}));
  EXPECT_EQ(r[2], (SeqRange{22, 22}));
  EXPECT_TRUE(ranges_contain(r, 15));
  EXPECT_FALSE(ranges_contain(r, 21));
  EXPECT_FALSE(ranges_contain(r, 0));
  EXPECT_EQ(ranges_count(r), 3u + 11u + 1u);
}

TEST(ImapSequenceSet, FromNumbersCompresses) {
  std::vector<uint32_t> n = {5, 1, 2, 3, 9, 3, 4294967295u};
  EXPECT_EQ(SequenceSet::from_numbers(n).to_string(), "1:3,5,9,4294967295");
  EXPECT_EQ(SequenceSet::from_numbers({}).to_string(), "");
}

TEST(ImapSequenceSet, MaxRangeEndMergesWithoutOverflow) {
  auto r = uids("4294967290:4294967295,4294967295", 5);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].last, 4294967295u);
}

}  // namespace
}  // namespace gm::mail
