// The first deliveries to a brand-new user, concurrently (as mda's threads
// do for 50 SMTP sessions at once): each must find a complete Maildir, never
// one another delivery is still creating (tmp/ there but not new/ yet).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "core/str.hpp"
#include "local_delivery.hpp"
#include "mail/smtp_reply.hpp"
#include "mail/maildir.hpp"

namespace gm::mda {
namespace {

namespace fs = std::filesystem;

constexpr int kUsers = 100;
constexpr int kDeliveriesPerUser = 6;

size_t files_in(const fs::path& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir)) ++n;
  return n;
}

TEST(LocalDelivery, ConcurrentFirstDeliveriesToNewUsersAllSucceed) {
  std::string pattern = (fs::temp_directory_path() / "gm_mda_race.XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  const std::string mail_dir = pattern;
  auto spool = Spool::create(mail_dir);
  ASSERT_TRUE(spool.ok());
  ASSERT_TRUE(spool->append("Subject: hello\r\n\r\nbody\r\n").ok());
  ASSERT_TRUE(spool->finish().ok());

  std::atomic<int> failures{0};
  std::string first_failure;
  std::mutex failure_mutex;
  for (int user = 0; user < kUsers; ++user) {
    MailboxTarget target{str_cat("u", user, "@example.com"), str_cat("example.com/u", user), 0};
    std::atomic<int> ready{0}, delivered{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < kDeliveriesPerUser; ++i)
      threads.emplace_back([&] {
        ++ready;
        while (ready.load() < kDeliveriesPerUser) std::this_thread::yield();  // start together
        mail::SmtpReply reply = deliver_to_mailbox(*spool, "s@example.org", target, mail_dir);
        if (reply.code == 250) {
          ++delivered;
        } else {
          std::lock_guard lock(failure_mutex);
          if (failures++ == 0) first_failure = mail::format_reply(reply);
        }
      });
    for (auto& t : threads) t.join();
    fs::path root = fs::path(mail_dir) / target.mailbox;
    EXPECT_EQ(files_in(root / "new"), static_cast<size_t>(delivered.load()))
        << target.mailbox;
    EXPECT_EQ(files_in(root / "tmp"), 0u) << target.mailbox;
    for (std::string_view folder : mail::kDefaultFolders)
      EXPECT_TRUE(fs::is_directory(root / str_cat(".", folder) / "new")) << folder;
  }
  EXPECT_EQ(failures.load(), 0) << first_failure;
  // Nothing but the users' domain directory is left in mail_dir (no
  // half-built mailboxes under temporary names).
  EXPECT_EQ(files_in(mail_dir), 1u);
  EXPECT_EQ(files_in(fs::path(mail_dir) / "example.com"), static_cast<size_t>(kUsers));
  fs::remove_all(mail_dir);
}

}  // namespace
}  // namespace gm::mda
