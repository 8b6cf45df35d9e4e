// queue_commit: how many durable queue commits per second this machine's
// disk allows, for the designs the queue could use (issue 4):
//   file   one file per message (Postfix): create, write, fsync, rename,
//          fsync directory; old files deleted to keep a realistic churn
//   group  one append-only log, many writers, one fdatasync per batch
//   store  the same through lib/mail's FileQueueStore (queue_log = no)
//   logstore  the log-fronted store msa and mta use (queue_store_log.cpp):
//          group-committed log record, queue file without fsync
//   group  one append-only log, many writers, one fdatasync per batch;
//          "group-pre" writes into a preallocated log, so fdatasync has no
//          file-size metadata to commit
//   fsync  each writer rewrites its own file and fsyncs (the disk's limit)
// Run by hand: queue_commit [--dir DIR] [--seconds N] [--size BYTES] [--keep N] [--only NAME]
//                        [--writers N]
// Prints one line per test with per-second figures (first, last, mean).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "mail/queue_store.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string dir = "/var/tmp/gm_queue_commit";
  int seconds = 10;
  size_t size = 4096;
  size_t keep = 2000;  // files kept before the oldest is deleted (queue churn)
  std::string only;    // run only the tests whose name starts with this
  int writers = 8;     // the concurrent sessions of the multi-writer tests
};

[[noreturn]] void die(const char* what, const std::string& path) {
  std::fprintf(stderr, "queue_commit: %s %s: %s\n", what, path.c_str(), std::strerror(errno));
  std::exit(1);
}

void write_all(int fd, const char* data, size_t size, const std::string& path) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die("write", path);
    data += n;
    size -= static_cast<size_t>(n);
  }
}

void fsync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0 || ::fsync(fd) != 0) die("fsync dir", dir);
  ::close(fd);
}

// Counts completed commits per wall-clock second while `threads` workers run.
struct Meter {
  std::atomic<long> done{0};
  std::vector<long> per_second;
};

void run_for(const Options& options, int threads, Meter& meter,
             const std::function<void(int, const std::atomic<bool>&)>& worker) {
  std::atomic<bool> stop{false};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back([&, t] { worker(t, stop); });
  long last = 0;
  for (int s = 0; s < options.seconds; ++s) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    long now = meter.done.load();
    meter.per_second.push_back(now - last);
    last = now;
  }
  stop = true;
  for (auto& th : pool) th.join();
}

void report(const char* name, int threads, const Meter& meter) {
  long total = 0, low = meter.per_second.empty() ? 0 : meter.per_second.front(), high = 0;
  for (long v : meter.per_second) {
    total += v;
    low = std::min(low, v);
    high = std::max(high, v);
  }
  double mean = meter.per_second.empty() ? 0 : double(total) / meter.per_second.size();
  std::printf("%-6s threads=%d  mean=%.0f/s  min=%ld/s  max=%ld/s  first=%ld/s  last=%ld/s\n", name,
              threads, mean, low, high, meter.per_second.front(), meter.per_second.back());
  std::fflush(stdout);
}

// (a) one file per message: what a Postfix-style queue pays per 250.
void bench_file_per_message(const Options& options, int threads) {
  std::string incoming = options.dir + "/incoming";
  ::mkdir(incoming.c_str(), 0700);
  std::string payload(options.size, 'x');
  Meter meter;
  run_for(options, threads, meter, [&](int t, const std::atomic<bool>& stop) {
    std::deque<std::string> kept;
    for (long n = 0; !stop; ++n) {
      std::string name = incoming + "/m" + std::to_string(t) + "_" + std::to_string(n);
      std::string temp = name + ".tmp";
      int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd < 0) die("create", temp);
      write_all(fd, payload.data(), payload.size(), temp);
      if (::fsync(fd) != 0) die("fsync", temp);
      ::close(fd);
      if (::rename(temp.c_str(), name.c_str()) != 0) die("rename", temp);
      fsync_dir(incoming);
      meter.done++;
      kept.push_back(name);
      if (kept.size() > options.keep / threads) {  // delivered mail leaves the queue
        ::unlink(kept.front().c_str());
        kept.pop_front();
      }
    }
    for (auto& name : kept) ::unlink(name.c_str());
  });
  report("file", threads, meter);
}

// (a') the same through the real queue store: header, envelope, content,
// fsync, rename, fsync directory; delivered messages are removed.
void bench_queue_store(const Options& options, int threads) {
  auto store = gm::mail::make_file_queue_store(options.dir + "/queue");
  if (auto status = store->init(); !status) die("init", status.error().message);
  std::string payload(options.size, 'x');
  Meter meter;
  run_for(options, threads, meter, [&](int, const std::atomic<bool>& stop) {
    std::deque<std::string> kept;
    gm::mail::Envelope envelope;
    envelope.sender = "sender@example.org";
    envelope.recipients.resize(1);
    envelope.recipients[0].address = "rcpt@example.net";
    while (!stop) {
      auto message = store->create(envelope);
      if (!message) die("create", message.error().message);
      if (!(*message)->append(payload)) die("append", "");
      auto committed = (*message)->commit();
      if (!committed) die("commit", committed.error().message);
      meter.done++;
      kept.push_back((*message)->queue_id());
      if (kept.size() > options.keep / threads) {
        (void)::unlink((options.dir + "/queue/incoming/" + kept.front()).c_str());
        kept.pop_front();
      }
    }
    for (auto& id : kept) (void)::unlink((options.dir + "/queue/incoming/" + id).c_str());
  });
  report("store", threads, meter);
}

// (a'') the log-fronted store msa and mta use (queue_store_log.cpp): one
// record per message in a group-committed log, the queue file without fsync;
// messages are removed through the store as qmgr does (done list).
void bench_log_store(const Options& options, int threads) {
  gm::mail::QueueLogStoreOptions log_options;
  log_options.name = "bench";
  auto store = gm::mail::make_log_queue_store(options.dir + "/logqueue", log_options);
  if (auto status = store->init(); !status) die("init", status.error().message);
  std::string payload(options.size, 'x');
  Meter meter;
  run_for(options, threads, meter, [&](int, const std::atomic<bool>& stop) {
    std::deque<std::string> kept;
    gm::mail::Envelope envelope;
    envelope.sender = "sender@example.org";
    envelope.recipients.resize(1);
    envelope.recipients[0].address = "rcpt@example.net";
    while (!stop) {
      auto message = store->create(envelope);
      if (!message) die("create", message.error().message);
      if (!(*message)->append(payload)) die("append", "");
      auto committed = (*message)->commit();
      if (!committed) die("commit", committed.error().message);
      meter.done++;
      kept.push_back((*message)->queue_id());
      if (kept.size() > options.keep / threads) {
        (void)store->remove(gm::mail::QueueName::kIncoming, kept.front(), gm::mail::Sync::kLazy);
        kept.pop_front();
      }
    }
    for (auto& id : kept)
      (void)store->remove(gm::mail::QueueName::kIncoming, id, gm::mail::Sync::kLazy);
  });
  report("logstore", threads, meter);
}

// (b) group commit: writers hand records to one committer that writes the
// whole batch and fdatasyncs once; each writer waits until its record is durable.
void bench_group_commit(const Options& options, int threads, bool preallocate) {
  std::string path = options.dir + "/queue.log";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) die("create", path);
  off_t offset = 0;
  // Preallocated: a 64 MiB segment written once and synced, then reused in a
  // ring, as a log store recycles segments whose messages were delivered.
  constexpr off_t kSegment = 64 << 20;
  if (preallocate) {
    std::string zeros(1 << 20, '\0');
    for (off_t at = 0; at < kSegment; at += static_cast<off_t>(zeros.size()))
      write_all(fd, zeros.data(), zeros.size(), path);
    if (::fsync(fd) != 0) die("fsync", path);
  }
  std::mutex mu;
  std::condition_variable wake_committer, wake_writers;
  std::string batch;
  long queued = 0, durable = 0, batches = 0;
  bool finished = false;
  std::thread committer([&] {
    std::string writing;
    std::unique_lock lock(mu);
    for (;;) {
      wake_committer.wait(lock, [&] { return !batch.empty() || finished; });
      if (batch.empty() && finished) return;
      writing.swap(batch);
      long upto = queued;
      lock.unlock();
      if (preallocate && offset + static_cast<off_t>(writing.size()) > kSegment) offset = 0;
      if (::pwrite(fd, writing.data(), writing.size(), offset) != ssize_t(writing.size()))
        die("pwrite", path);
      offset += static_cast<off_t>(writing.size());
      if (::fdatasync(fd) != 0) die("fdatasync", path);
      writing.clear();
      lock.lock();
      durable = upto;
      ++batches;
      wake_writers.notify_all();
    }
  });
  std::string payload(options.size, 'x');
  Meter meter;
  run_for(options, threads, meter, [&](int, const std::atomic<bool>& stop) {
    while (!stop) {
      std::unique_lock lock(mu);
      batch += payload;
      long mine = ++queued;
      wake_committer.notify_one();
      wake_writers.wait(lock, [&] { return durable >= mine; });
      meter.done++;
    }
  });
  {
    std::lock_guard lock(mu);
    finished = true;
    wake_committer.notify_one();
  }
  committer.join();
  ::close(fd);
  ::unlink(path.c_str());
  report(preallocate ? "group-pre" : "group", threads, meter);
  std::printf("       (%.1f records per fdatasync)\n", batches ? double(queued) / batches : 0.0);
}

// (c) the disk's plain fsync rate: each writer rewrites 4 KiB of its own file.
void bench_plain_fsync(const Options& options, int threads) {
  std::string payload(options.size, 'x');
  Meter meter;
  run_for(options, threads, meter, [&](int t, const std::atomic<bool>& stop) {
    std::string path = options.dir + "/fsync" + std::to_string(t);
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) die("create", path);
    while (!stop) {
      if (::pwrite(fd, payload.data(), payload.size(), 0) < 0) die("pwrite", path);
      if (::fsync(fd) != 0) die("fsync", path);
      meter.done++;
    }
    ::close(fd);
    ::unlink(path.c_str());
  });
  report("fsync", threads, meter);
}

Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string key = argv[i];
    if (key == "--dir")
      options.dir = argv[i + 1];
    else if (key == "--seconds")
      options.seconds = std::max(1, std::atoi(argv[i + 1]));
    else if (key == "--size")
      options.size = static_cast<size_t>(std::atol(argv[i + 1]));
    else if (key == "--keep")
      options.keep = static_cast<size_t>(std::atol(argv[i + 1]));
    else if (key == "--only")
      options.only = argv[i + 1];
    else if (key == "--writers")
      options.writers = std::max(1, std::atoi(argv[i + 1]));
    else {
      std::fprintf(stderr,
                   "usage: queue_commit [--dir D] [--seconds N] [--size B] [--keep N] [--only "
                   "NAME] [--writers N]\n");
      std::exit(2);
    }
  }
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  Options options = parse_options(argc, argv);
  ::mkdir(options.dir.c_str(), 0700);
  std::printf("queue_commit: dir=%s seconds=%d size=%zu keep=%zu\n", options.dir.c_str(),
              options.seconds, options.size, options.keep);
  std::fflush(stdout);
  auto wanted = [&](const char* name) { return std::string(name).rfind(options.only, 0) == 0; };
  if (wanted("file")) bench_file_per_message(options, 1);
  int n = options.writers;
  if (wanted("file")) bench_file_per_message(options, n);
  if (wanted("store")) bench_queue_store(options, 1);
  if (wanted("store")) bench_queue_store(options, n);
  if (wanted("logstore")) bench_log_store(options, 1);
  if (wanted("logstore")) bench_log_store(options, n);
  if (wanted("logstore")) bench_log_store(options, 50);
  if (wanted("group")) bench_group_commit(options, n, false);
  if (wanted("group-pre")) bench_group_commit(options, n, true);
  if (wanted("group-pre")) bench_group_commit(options, 64, true);
  if (wanted("fsync")) bench_plain_fsync(options, 1);
  if (wanted("fsync")) bench_plain_fsync(options, n);
  return 0;
}
