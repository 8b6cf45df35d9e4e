// maa-mail's shared folders (folder_registry.hpp) and the snapshot views on
// them (imap_mailbox_view.hpp): one MailboxFolder and one snapshot per
// folder state for every session of the process, small per-session deltas.
#include <gtest/gtest.h>

#include "folder_registry.hpp"
#include "imap_mailbox_view.hpp"
#include "imap_view_support.hpp"
#include "mailbox_test_support.hpp"
#include "net/event_loop.hpp"

namespace gm::maa {
namespace {

using mail::testing::message;
using mail::testing::TempMaildir;

using testing::record;

struct SharedInbox : ::testing::Test {
  TempMaildir maildir;
  net::EventLoop loop;
  FolderRegistry registry{loop};

  std::shared_ptr<SharedFolder> open() {
    auto folder = registry.open(maildir.root());
    EXPECT_TRUE(folder.ok());
    return folder.ok() ? *folder : nullptr;
  }
  // A session's refresh: sync the shared folder, compare with its snapshot.
  static ViewUpdates refresh(SharedFolder& folder, MailboxView& view, bool announce = true) {
    EXPECT_TRUE(folder.folder().sync().ok());
    return view.refresh(folder.snapshot(), announce, false);
  }
};

TEST_F(SharedInbox, SessionsOfOneProcessShareTheFolderAndItsSnapshot) {
  for (int i = 0; i < 3; ++i) maildir.deliver(message(i));
  auto a = open(), b = open();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a.get(), b.get());
  EXPECT_EQ(registry.open_count(), 1u);
  MailboxView va, vb;
  va.reset(a->snapshot());
  vb.reset(b->snapshot());
  EXPECT_EQ(va.snapshot().get(), vb.snapshot().get());
  EXPECT_EQ(va.exists(), 3u);
  EXPECT_EQ(va.private_entries(), 0u);
}

TEST_F(SharedInbox, TheRegistryForgetsAFolderNobodyHolds) {
  maildir.deliver(message(1));
  const SharedFolder* first = open().get();
  EXPECT_NE(first, nullptr);
  auto again = open();  // the first was released at once: a fresh open
  EXPECT_EQ(registry.open_count(), 1u);
  EXPECT_EQ(again->folder().messages().size(), 1u);
}

TEST_F(SharedInbox, AFolderMadeAgainUnderTheSameNameIsAnotherFolder) {
  std::string dir = maildir.folder("Work");
  ASSERT_TRUE(std::filesystem::create_directories(dir + "/cur"));
  auto old = registry.open(dir);
  ASSERT_TRUE(old.ok());
  std::filesystem::rename(dir, dir + "-moved");
  ASSERT_TRUE(std::filesystem::create_directories(dir + "/cur"));
  auto fresh = registry.open(dir);
  ASSERT_TRUE(fresh.ok());
  EXPECT_NE(old->get(), fresh->get());
}

TEST_F(SharedInbox, OwnStoreIsNotReportedBackOthersSeeIt) {
  for (int i = 0; i < 3; ++i) maildir.deliver(message(i));
  auto folder = open();
  MailboxView mine, theirs, third;
  for (MailboxView* view : {&mine, &theirs, &third}) view->reset(folder->snapshot());
  uint32_t uid = mine.uid_at(2);
  std::vector<uint32_t> uids{uid};
  ASSERT_TRUE(folder->folder().store(uids, mail::StoreMode::kAdd, mail::kFlagged, {}).ok());
  // The STORE's answer reported the new flags to this session.
  mine.note_reported(2, *folder->folder().find(uid));
  EXPECT_EQ(mine.private_entries(), 1u);
  // The others first: the second one reuses the first one's diff; ours,
  // with its private entry, must not.
  EXPECT_EQ(refresh(*folder, theirs).flags_changed, (std::vector<uint32_t>{2}));
  EXPECT_EQ(refresh(*folder, third).flags_changed, (std::vector<uint32_t>{2}));
  EXPECT_TRUE(refresh(*folder, mine).flags_changed.empty());
  // At rest all point at the one current snapshot, with nothing private.
  EXPECT_EQ(mine.snapshot().get(), theirs.snapshot().get());
  EXPECT_EQ(third.snapshot().get(), theirs.snapshot().get());
  EXPECT_EQ(mine.private_entries() + theirs.private_entries(), 0u);
}

TEST_F(SharedInbox, ExpungeByOneIsAGhostForAnotherMidFetchThenAnnounced) {
  for (int i = 0; i < 4; ++i) maildir.deliver(message(i));
  auto folder = open();
  MailboxView expunger, fetcher;
  SnapshotPtr first_snapshot = folder->snapshot();
  expunger.reset(first_snapshot);
  fetcher.reset(first_snapshot);
  uint32_t doomed = fetcher.uid_at(2), last = fetcher.uid_at(4);
  std::vector<uint32_t> uids{doomed};
  ASSERT_TRUE(folder->folder().expunge(uids).ok());
  EXPECT_EQ(refresh(*folder, expunger).expunged_seqs, (std::vector<uint32_t>{2}));
  maildir.deliver(message(9));  // and a delivery while the other one FETCHes
  auto updates = refresh(*folder, fetcher, false);
  SnapshotPtr after_delivery = folder->snapshot();
  EXPECT_TRUE(updates.expunged_seqs.empty());
  EXPECT_TRUE(updates.exists_changed);
  EXPECT_EQ(fetcher.exists(), 5u);
  EXPECT_TRUE(fetcher.expunged_at(2));
  EXPECT_EQ(fetcher.uid_at(2), doomed);
  EXPECT_EQ(fetcher.uid_at(4), last);
  EXPECT_EQ(fetcher.seq_of(last), std::optional<uint32_t>(4));
  EXPECT_EQ(fetcher.lower_bound(doomed + 1), 3u);
  EXPECT_EQ(fetcher.private_entries(), 1u);
  updates = refresh(*folder, fetcher, true);
  EXPECT_EQ(updates.expunged_seqs, (std::vector<uint32_t>{2}));
  EXPECT_EQ(updates.expunged_uids, (std::vector<uint32_t>{doomed}));
  EXPECT_EQ(fetcher.exists(), 4u);
  EXPECT_FALSE(fetcher.has_ghosts());
  // A second session mid-FETCH gets the same ghost from the memoised diff.
  MailboxView late;
  late.reset(first_snapshot);
  EXPECT_TRUE(late.refresh(after_delivery, false, false).exists_changed);
  EXPECT_TRUE(late.expunged_at(2));
  EXPECT_EQ(late.uid_at(5), fetcher.uid_at(4));
  EXPECT_EQ(fetcher.snapshot().get(), folder->snapshot().get());
}

TEST(SnapshotView, GhostsCountInTheSequenceNumbersOfFlagChanges) {
  MailboxView view;
  std::vector<mail::MessageRecord> records = {record(1), record(2), record(3)};
  view.reset(records);
  std::vector<mail::MessageRecord> now = {record(2), record(3, mail::kSeen, 2)};
  auto updates = view.refresh(now, false, false);
  EXPECT_EQ(updates.flags_changed, (std::vector<uint32_t>{3}));  // seq 1 is a ghost
  updates = view.refresh(now, true, false);
  EXPECT_EQ(updates.expunged_seqs, (std::vector<uint32_t>{1}));
  EXPECT_TRUE(updates.flags_changed.empty());
}

TEST(SnapshotView, AUidNeverSeenBelowTheLastDoesNotShiftSequenceNumbers) {
  MailboxView view;
  std::vector<mail::MessageRecord> records = {record(1), record(5)};
  view.reset(records);
  // A rebuild found an old file again under its old UID 3.
  std::vector<mail::MessageRecord> now = {record(1), record(3), record(5), record(6)};
  auto updates = view.refresh(now, true, false);
  EXPECT_TRUE(updates.exists_changed);
  EXPECT_EQ(view.exists(), 3u);
  EXPECT_EQ(view.uid_at(2), 5u);
  EXPECT_EQ(view.uid_at(3), 6u);
  EXPECT_FALSE(view.seq_of(3).has_value());
}

TEST(SnapshotView, ANoteEqualToTheSnapshotLeavesNothingPrivate) {
  MailboxView view;
  std::vector<mail::MessageRecord> records = {record(1, mail::kSeen, 4)};
  view.reset(records);
  view.note_reported(1, records[0]);
  EXPECT_EQ(view.private_entries(), 0u);
  view.note_reported(1, record(1, 0, 5));
  EXPECT_EQ(view.private_entries(), 1u);
  view.note_reported(1, records[0]);
  EXPECT_EQ(view.private_entries(), 0u);
}

TEST_F(SharedInbox, OneWatchWakesEveryIdleSubscriber) {
  maildir.deliver(message(1));
  auto folder = open();
  int woken_a = 0, woken_b = 0;
  auto a = folder->subscribe([&] { ++woken_a; });
  auto b = folder->subscribe([&] {
    ++woken_b;
    loop.stop();
  });
  EXPECT_EQ(folder->subscribers(), 2u);
  net::Timer deliver(loop, [&] { maildir.deliver(message(2)); });
  deliver.start(std::chrono::milliseconds(10));
  net::Timer give_up(loop, [&] { loop.stop(); });
  give_up.start(std::chrono::milliseconds(5000));
  loop.run();
  EXPECT_GE(woken_a, 1);
  EXPECT_GE(woken_b, 1);
  // The subscribers' wake-up found the delivery synced already.
  EXPECT_EQ(folder->folder().messages().size(), 2u);
  a.reset();
  b.reset();
  EXPECT_EQ(folder->subscribers(), 0u);
}

}  // namespace
}  // namespace gm::maa
