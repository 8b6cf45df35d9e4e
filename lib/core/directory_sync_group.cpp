#include "core/directory_sync_group.hpp"

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "core/durable_file.hpp"

namespace gm::core {
namespace {

struct Directory {
  uint64_t requested = 0;  // callers so far, numbered
  uint64_t covered = 0;    // callers up to this number are synced
  bool running = false;
  int waiting = 0;
  Status last;  // outcome of the newest fsync
};

std::mutex g_mutex;
std::condition_variable g_done;
std::unordered_map<std::string, Directory> g_directories;  // only while someone waits

}  // namespace

Status fsync_directory_grouped(const std::string& directory) {
  std::unique_lock lock(g_mutex);
  Directory& d = g_directories[directory];  // node-based: stays put while others are added
  uint64_t mine = ++d.requested;
  ++d.waiting;
  while (d.covered < mine) {
    if (d.running) {
      g_done.wait(lock);
      continue;
    }
    d.running = true;
    uint64_t target = d.requested;  // everyone who asked before this fsync starts
    lock.unlock();
    Status status = fsync_directory(directory);
    lock.lock();
    d.running = false;
    d.covered = target;
    d.last = status;
    g_done.notify_all();
  }
  Status result = d.last;
  if (--d.waiting == 0) g_directories.erase(directory);
  return result;
}

}  // namespace gm::core
