// mailbox_index: the cost of lib/mail's MailboxFolder on a large folder.
//   mailbox_index [--dir D] [--messages N]
// Fills D (default /var/tmp/gm_mailbox_bench) with N (10000) messages the
// way mda leaves them (new/<name>,S=<size>), lets the directory mtimes
// settle (MailboxFolder does not trust a directory changed in the last
// second), then times: open with a current index, open after deleting
// gm-index (rebuild from cur/ and gm-uids), sync() with nothing changed,
// STORE +\Seen / -\Seen on every message, STORE on one message (a
// gm-index.log append), another object's sync() after such a STORE, and
// open with that log to apply.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "core/str.hpp"
#include "mail/mailbox_folder.hpp"
#include "mail/maildir.hpp"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;
using gm::mail::MailboxFolder;

double micros_since(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void fill(const std::string& root, int count) {
  fs::remove_all(root);
  if (!gm::mail::create_maildir(root)) std::exit(1);
  std::string body(2000, 'x');
  for (int i = 0; i < count; ++i) {
    std::string content = gm::str_cat("Subject: message ", i, "\r\n\r\n", body, "\r\n");
    std::string path =
        gm::str_cat(root, "/new/", 1700000000 + i, ".M", i, "P1Q1.bench,S=", content.size());
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0 || ::write(fd, content.data(), content.size()) < 0) std::exit(1);
    ::close(fd);
  }
}

std::unique_ptr<MailboxFolder> open_or_die(const std::string& dir) {
  auto folder = MailboxFolder::open(dir);
  if (!folder) {
    std::fprintf(stderr, "open: %s\n", folder.error().message.c_str());
    std::exit(1);
  }
  return std::move(*folder);
}

void settle() {
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = "/var/tmp/gm_mailbox_bench";
  int count = 10000;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view flag = argv[i];
    if (flag == "--dir") dir = argv[i + 1];
    if (flag == "--messages") count = std::atoi(argv[i + 1]);
  }
  fill(dir, count);
  auto start = Clock::now();
  size_t found = open_or_die(dir)->messages().size();
  std::printf("first open (take %d from new/, assign UIDs): %.1f ms, %zu messages\n", count,
              micros_since(start) / 1000, found);
  settle();

  std::vector<double> with_index;
  for (int i = 0; i < 20; ++i) {
    start = Clock::now();
    auto folder = open_or_die(dir);
    with_index.push_back(micros_since(start));
  }
  std::printf("open with index: median %.2f ms of 20\n", median(with_index) / 1000);

  std::vector<double> rebuild;
  for (int i = 0; i < 5; ++i) {
    fs::remove(dir + "/gm-index");
    start = Clock::now();
    auto folder = open_or_die(dir);
    rebuild.push_back(micros_since(start));
    settle();
  }
  std::printf("open without index (rebuild): median %.1f ms of 5\n", median(rebuild) / 1000);

  auto folder = open_or_die(dir);
  constexpr int kSyncs = 100000;
  start = Clock::now();
  for (int i = 0; i < kSyncs; ++i) {
    auto changes = folder->sync();
    if (!changes || !changes->empty()) return 1;
  }
  std::printf("sync with no change: %.2f us each (mean of %d)\n", micros_since(start) / kSyncs,
              kSyncs);

  std::vector<uint32_t> all;
  for (const auto& m : folder->messages()) all.push_back(m.uid);
  const std::vector<std::string> none;
  for (auto mode : {gm::mail::StoreMode::kAdd, gm::mail::StoreMode::kRemove}) {
    start = Clock::now();
    if (!folder->store(all, mode, gm::mail::kSeen, none)) return 1;
    std::printf("STORE %s\\Seen on %zu messages: %.1f ms\n",
                mode == gm::mail::StoreMode::kAdd ? "+" : "-", all.size(),
                micros_since(start) / 1000);
  }
  std::vector<double> one;
  for (int i = 0; i < 20; ++i) {
    start = Clock::now();
    std::vector<uint32_t> uid{all[static_cast<size_t>(i) * 7 % all.size()]};
    if (!folder->store(uid, gm::mail::StoreMode::kAdd, gm::mail::kFlagged, none)) return 1;
    one.push_back(micros_since(start));
  }
  std::printf("STORE +\\Flagged on 1 message of %zu: median %.3f ms of 20\n", all.size(),
              median(one) / 1000);

  // Another session of the same folder catching up with each one-message
  // STORE: with gm-index.log it reads the new records only.
  auto other = open_or_die(dir);
  std::vector<double> follow;
  for (int i = 0; i < 20; ++i) {
    std::vector<uint32_t> uid{all[static_cast<size_t>(i) * 11 % all.size()]};
    if (!folder->store(uid, gm::mail::StoreMode::kAdd, gm::mail::kAnswered, none)) return 1;
    start = Clock::now();
    auto changes = other->sync();
    follow.push_back(micros_since(start));
    if (!changes || changes->flags_changed.size() != 1) return 1;
  }
  std::printf("sync after another object's 1-message STORE: median %.3f ms of 20\n",
              median(follow) / 1000);

  std::vector<double> with_log;
  for (int i = 0; i < 20; ++i) {
    start = Clock::now();
    auto reopened = open_or_die(dir);
    with_log.push_back(micros_since(start));
  }
  std::printf("open with index and a 40-batch log: median %.2f ms of 20\n",
              median(with_log) / 1000);
  fs::remove_all(dir);
  return 0;
}
