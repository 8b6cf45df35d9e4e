#include "net/dir_watch.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "core/durable_file.hpp"
#include "mail/mailbox_folder.hpp"
#include "mailbox_test_support.hpp"

namespace gm::net {
namespace {

using mail::testing::message;
using mail::testing::TempMaildir;

// Runs the loop until the watch fires or 1 s passes; `act` runs from a timer
// once the loop is going. Returns how many times the callback ran.
int fires_after(const std::string& dir, std::function<void()> act) {
  EventLoop loop;
  int fired = 0;
  auto watch = DirWatch::start(loop, dir, [&] {
    ++fired;
    loop.stop();
  });
  EXPECT_TRUE(watch.ok());
  Timer action(loop, act);
  Timer give_up(loop, [&] { loop.stop(); });
  action.start(std::chrono::milliseconds(10));
  give_up.start(std::chrono::milliseconds(1000));
  loop.run();
  return fired;
}

TEST(DirWatch, FiresOnDelivery) {
  TempMaildir maildir;
  EXPECT_EQ(fires_after(maildir.root(), [&] { maildir.deliver(message(1)); }), 1);
}

TEST(DirWatch, FiresOnAnotherSessionsFlagChange) {
  TempMaildir maildir;
  maildir.deliver(message(1));
  auto folder = mail::MailboxFolder::open(maildir.root());
  ASSERT_TRUE(folder.ok());
  EXPECT_EQ(fires_after(maildir.root(),
                        [&] {
                          ASSERT_TRUE((*folder)
                                          ->store(std::vector<uint32_t>{1}, mail::StoreMode::kAdd,
                                                  mail::kSeen, {})
                                          .ok());
                        }),
            1);
}

TEST(DirWatch, IgnoresOtherFilesInTheFolderDirectory) {
  TempMaildir maildir;
  EXPECT_EQ(fires_after(
                maildir.root(),
                [&] {
                  ASSERT_TRUE(
                      core::write_file_durably(maildir.root() + "/subscriptions", "INBOX\n").ok());
                }),
            0);
}

TEST(DirWatch, FailsForAMissingFolder) {
  EventLoop loop;
  EXPECT_FALSE(DirWatch::start(loop, "/nonexistent/gm/folder", [] {}).ok());
}

// For watches sharing one loop: runs it until a callback stops it or 1 s
// passes; `act` runs from a timer once the loop is going.
void run_until(EventLoop& loop, const std::function<void()>& act) {
  Timer action(loop, act);
  Timer give_up(loop, [&] { loop.stop(); });
  action.start(std::chrono::milliseconds(10));
  give_up.start(std::chrono::milliseconds(1000));
  loop.run();
}

int inotify_descriptors() {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    auto target = std::filesystem::read_symlink(entry.path(), ec);
    if (!ec && target.string() == "anon_inode:inotify") ++count;
  }
  return count;
}

TEST(DirWatch, TwoSubscribersOfOneFolderAreBothNotified) {
  TempMaildir maildir;
  EventLoop loop;
  int first = 0, second = 0;
  auto stop_when_both = [&] {
    if (first > 0 && second > 0) loop.stop();
  };
  auto a = DirWatch::start(loop, maildir.root(), [&] {
    ++first;
    stop_when_both();
  });
  auto b = DirWatch::start(loop, maildir.root(), [&] {
    ++second;
    stop_when_both();
  });
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  run_until(loop, [&] { maildir.deliver(message(1)); });
  EXPECT_EQ(first, 1);
  EXPECT_EQ(second, 1);
}

TEST(DirWatch, UnsubscribingOneKeepsTheOther) {
  TempMaildir maildir;
  EventLoop loop;
  int gone = 0, kept = 0;
  auto a = DirWatch::start(loop, maildir.root(), [&] { ++gone; });
  auto b = DirWatch::start(loop, maildir.root(), [&] {
    ++kept;
    loop.stop();
  });
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  a->reset();
  run_until(loop, [&] { maildir.deliver(message(1)); });
  EXPECT_EQ(gone, 0);
  EXPECT_EQ(kept, 1);
}

TEST(DirWatch, FiveHundredFoldersShareOneInotifyDescriptor) {
  constexpr int kFolders = 500;
  TempMaildir maildir;
  int before = inotify_descriptors();
  EventLoop loop;
  std::vector<int> fired(kFolders, 0);
  std::vector<std::unique_ptr<DirWatch>> watches;
  for (int i = 0; i < kFolders; ++i) {
    std::string dir = maildir.root() + "/f" + std::to_string(i);
    std::filesystem::create_directories(dir + "/new");
    std::filesystem::create_directories(dir + "/cur");
    auto watch = DirWatch::start(loop, dir, [&, i] {
      ++fired[i];
      loop.stop();
    });
    ASSERT_TRUE(watch.ok()) << watch.error().message;
    watches.push_back(std::move(*watch));
  }
  EXPECT_EQ(inotify_descriptors() - before, 1);
  run_until(loop, [&] { std::ofstream(maildir.root() + "/f250/new/1.host"); });
  for (int i = 0; i < kFolders; ++i) EXPECT_EQ(fired[i], i == 250 ? 1 : 0) << i;
  watches.clear();
  EXPECT_EQ(inotify_descriptors() - before, 0);  // the last watch closes the instance
}

}  // namespace
}  // namespace gm::net
