#include "net/dir_watch.hpp"

#include <gtest/gtest.h>

#include <fstream>

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

}  // namespace
}  // namespace gm::net
