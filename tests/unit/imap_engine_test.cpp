// The pure parts of maa-mail's IMAP engine: the client's mailbox view and
// the updates it announces, LIST patterns, flags, RFC 5256 base subjects,
// sort criteria and header dates.
#include <gtest/gtest.h>

#include "imap_compress.hpp"
#include "imap_flags.hpp"
#include "imap_list_pattern.hpp"
#include "imap_mailbox_view.hpp"
#include "imap_message.hpp"
#include "imap_sort.hpp"
#include "imap_view_support.hpp"

namespace gm::maa {
namespace {

using testing::record;

TEST(MailboxView, RefreshAnnouncesExpungesInAnOrderThatStaysValid) {
  MailboxView view;
  std::vector<mail::MessageRecord> records = {record(1), record(2), record(3), record(4)};
  view.reset(records);
  std::vector<mail::MessageRecord> now = {record(1), record(4)};
  auto updates = view.refresh(now, true, true);
  // Removing seq 2 first, then the old seq 3 is seq 2 again.
  EXPECT_EQ(updates.expunged_seqs, (std::vector<uint32_t>{2, 2}));
  EXPECT_EQ(updates.expunged_uids, (std::vector<uint32_t>{2, 3}));
  EXPECT_FALSE(updates.exists_changed);
  EXPECT_EQ(view.exists(), 2u);
  EXPECT_EQ(view.uid_at(2), 4u);
}

TEST(MailboxView, RefreshKeepsGhostsWhenExpungesMayNotBeAnnounced) {
  MailboxView view;
  std::vector<mail::MessageRecord> records = {record(1), record(2)};
  view.reset(records);
  std::vector<mail::MessageRecord> now = {record(2), record(5)};
  auto updates = view.refresh(now, false, true);
  EXPECT_TRUE(updates.expunged_seqs.empty());
  EXPECT_TRUE(updates.exists_changed);
  EXPECT_EQ(view.exists(), 3u);
  EXPECT_TRUE(view.expunged_at(1));
  EXPECT_TRUE(view.has_ghosts());
  // Still missing, still not announceable: still a ghost.
  EXPECT_TRUE(view.refresh(now, false, true).expunged_seqs.empty());
  EXPECT_TRUE(view.has_ghosts());
  updates = view.refresh(now, true, true);
  EXPECT_EQ(updates.expunged_seqs, (std::vector<uint32_t>{1}));
  EXPECT_EQ(view.exists(), 2u);
  EXPECT_FALSE(view.has_ghosts());
  EXPECT_EQ(view.seq_of(5), std::optional<uint32_t>(2));
}

TEST(MailboxView, RefreshReportsFlagChangesOnceUntilNoted) {
  MailboxView view;
  std::vector<mail::MessageRecord> records = {record(1), record(2)};
  view.reset(records);
  std::vector<mail::MessageRecord> now = {record(1), record(2, mail::kSeen, 2)};
  auto updates = view.refresh(now, true, true);
  EXPECT_EQ(updates.flags_changed, (std::vector<uint32_t>{2}));
  EXPECT_TRUE(view.refresh(now, true, true).flags_changed.empty());
  now[0] = record(1, mail::kFlagged, 3);
  view.note_reported(1, now[0]);  // our own STORE answered it already
  EXPECT_TRUE(view.refresh(now, true, true).flags_changed.empty());
}

TEST(MailboxView, ANewModseqAloneMattersOnlyWithCondstore) {
  MailboxView view;
  std::vector<mail::MessageRecord> records = {record(1, mail::kSeen, 1)};
  view.reset(records);
  records[0].modseq = 9;  // an index rebuild renumbers MODSEQs
  EXPECT_TRUE(view.refresh(records, true, false).flags_changed.empty());
  records[0].modseq = 10;
  EXPECT_EQ(view.refresh(records, true, true).flags_changed, (std::vector<uint32_t>{1}));
}

TEST(MailboxView, LowerBoundFindsTheFirstUidAtOrAbove) {
  MailboxView view;
  std::vector<mail::MessageRecord> records = {record(3), record(7), record(9)};
  view.reset(records);
  EXPECT_EQ(view.lower_bound(1), 1u);
  EXPECT_EQ(view.lower_bound(8), 3u);
  EXPECT_EQ(view.lower_bound(10), 4u);
  EXPECT_FALSE(view.seq_of(8));
}

TEST(ListPattern, PercentStopsAtTheSeparatorStarDoesNot) {
  ListPattern percent("", "a/%");
  EXPECT_TRUE(percent.matches("a/b"));
  EXPECT_FALSE(percent.matches("a/b/c"));
  ListPattern star("", "a/*");
  EXPECT_TRUE(star.matches("a/b/c"));
  EXPECT_FALSE(star.matches("ab"));
  EXPECT_TRUE(ListPattern("", "inbox").matches("INBOX"));
  EXPECT_TRUE(ListPattern("Arch", "*").matches("Archive/2024"));
  EXPECT_FALSE(ListPattern("", "%").matches("a/b"));
  EXPECT_TRUE(ListPattern("", "%/%").matches("a/b"));
}

TEST(ListPattern, ManyWildcardsStayLinear) {
  std::string pattern(kMaxListPattern - 1, '*');
  pattern += 'x';
  std::string name(200, 'a');
  EXPECT_FALSE(ListPattern("", pattern).matches(name));
}

TEST(Flags, FormatsSystemFlagsThenKeywords) {
  std::vector<std::string> keywords = {"$Junk"};
  EXPECT_EQ(format_flags(mail::kSeen | mail::kDeleted, keywords), "\\Seen \\Deleted $Junk");
  EXPECT_EQ(format_flags(0, {}), "");
}

TEST(Flags, ParsesListsAndRefusesRecentAndBadAtoms) {
  mail::ImapArg list;
  list.kind = mail::ImapArg::Kind::kList;
  for (const char* f : {"\\seen", "$Label1", "\\FLAGGED", "$label1"}) {
    mail::ImapArg a;
    a.text = f;
    list.list.push_back(a);
  }
  auto set = parse_flags(std::span(&list, 1));
  ASSERT_TRUE(set);
  EXPECT_EQ(set->flags, mail::kSeen | mail::kFlagged);
  EXPECT_EQ(set->keywords, (std::vector<std::string>{"$Label1"}));
  mail::ImapArg recent;
  recent.text = "\\Recent";
  EXPECT_FALSE(parse_flags(std::span(&recent, 1)));
  mail::ImapArg bad;
  bad.text = "a]b";
  EXPECT_FALSE(parse_flags(std::span(&bad, 1)));
}

TEST(BaseSubject, StripsLeadersTrailersAndBlobs) {
  EXPECT_EQ(base_subject("Re: Fwd: [list] Hello  World (fwd)"), base_subject("hello world"));
  EXPECT_EQ(base_subject("[Fwd: Re: topic]"), base_subject("topic"));
  EXPECT_EQ(base_subject("RE [2]: answer"), base_subject("answer"));
  EXPECT_EQ(base_subject("[only a blob]"), base_subject("[only a blob]"));
  EXPECT_EQ(base_subject("=?utf-8?q?Gr=C3=BC=C3=9Fe?="), base_subject("Grüße"));
  EXPECT_EQ(base_subject(""), "");
}

TEST(SortCriteria, ReverseAppliesToTheNextKeyOnly) {
  mail::ImapArg list;
  list.kind = mail::ImapArg::Kind::kList;
  for (const char* f : {"REVERSE", "date", "SUBJECT"}) {
    mail::ImapArg a;
    a.text = f;
    list.list.push_back(a);
  }
  auto criteria = parse_sort_criteria(list);
  ASSERT_TRUE(criteria);
  ASSERT_EQ(criteria->size(), 2u);
  EXPECT_TRUE((*criteria)[0].reverse);
  EXPECT_EQ((*criteria)[0].key, SortKey::kDate);
  EXPECT_FALSE((*criteria)[1].reverse);
  list.list.resize(1);
  EXPECT_FALSE(parse_sort_criteria(list));
}

TEST(HeaderDate, ParsesRfc5322AndObsoleteForms) {
  auto d = parse_header_date("Tue, 1 Jul 2003 10:52:37 +0200");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->unix_time, 1057049557);
  EXPECT_EQ(d->zone_minutes, 120);
  auto old = parse_header_date("1 Jul 03 08:52 GMT");
  ASSERT_TRUE(old);
  EXPECT_EQ(old->unix_time, 1057049520);
  EXPECT_FALSE(parse_header_date("yesterday"));
  EXPECT_FALSE(parse_header_date("Tue, 41 Jul 2003 10:52:37 +0200"));
}

TEST(DeflateStreams, RoundTripsAndEachWriteIsDecodableAtOnce) {
  DeflateStreams server, client;
  std::string wire, plain;
  server.compress("* OK first\r\n", wire);
  ASSERT_TRUE(client.decompress(wire, plain));
  EXPECT_EQ(plain, "* OK first\r\n");  // Z_SYNC_FLUSH: no waiting for more
  wire.clear();
  std::string big(300000, 'x');
  server.compress(big, wire);
  plain.clear();
  ASSERT_TRUE(client.decompress(wire, plain));
  EXPECT_EQ(plain, big);
}

TEST(DeflateStreams, RefusesCorruptDataAndBombs) {
  DeflateStreams a, b;
  std::string out;
  EXPECT_FALSE(a.decompress(std::string("\xff\xff\xff\xff", 4), out));
  std::string wire;
  b.compress(std::string(2 * kMaxInflatedChunk, 'a'), wire);  // a few KiB on the wire
  DeflateStreams c;
  out.clear();
  EXPECT_FALSE(c.decompress(wire, out));
}

}  // namespace
}  // namespace gm::maa
