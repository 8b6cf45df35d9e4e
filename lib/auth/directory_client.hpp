// Directory lookups through authd (LOOKUP on the relay socket auth_socket,
// auth/auth_protocol.hpp): authd owns the user directory and nothing else
// opens it (DESIGN.md, Beyond one machine). Daemons use the asynchronous
// DirectoryClient on their loop; tools use lookup_blocking().
//
// A failed lookup is an Error whose code says how to treat it:
// kLookupTemporary (authd unreachable, directory unreadable, timeout: try
// later) or kLookupPermanent (authd refused the request).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "auth/auth_protocol.hpp"
#include "core/config.hpp"
#include "core/result.hpp"
#include "net/event_loop.hpp"
#include "net/ipc.hpp"

namespace gm::auth {

inline constexpr int kLookupTemporary = 451;
inline constexpr int kLookupPermanent = 550;
inline constexpr std::chrono::milliseconds kLookupTimeout{10'000};
// Lookups one client keeps in flight; more fail at once (temporarily).
inline constexpr size_t kMaxPendingLookups = 1024;

struct DirectoryEntry {
  enum class Kind { kUser, kAlias, kNone };
  Kind kind = Kind::kNone;
  std::string address;               // canonical (kUser, kAlias)
  bool active = false;               // kUser: status=active
  uint64_t quota = 0;                // kUser: bytes, 0 no limit
  std::string mailbox;               // kUser: relative to mail_dir
  std::vector<std::string> targets;  // kAlias
  bool local_domain = false;         // kNone: our domain, no such user; kUser/kAlias: true
  bool operator==(const DirectoryEntry&) const = default;
};

// The entry a LOOKUP reply describes; FAIL becomes an Error (temporary
// with temp=1), and a reply that answers no lookup (MECHS, OK, ...) a
// permanent one.
Result<DirectoryEntry> entry_from_reply(const AuthReplyMessage& reply);

// One IpcChannel to auth_socket, opened on first use and again after authd
// went away. Each lookup is answered exactly once, on the loop, never from
// inside lookup() itself. The client may be destroyed from a callback;
// lookups still pending then are dropped without a call.
class DirectoryClient {
 public:
  using Done = std::function<void(Result<DirectoryEntry>)>;

  DirectoryClient(net::EventLoop& loop, std::string socket_path,
                  std::chrono::milliseconds timeout = kLookupTimeout);
  ~DirectoryClient();
  DirectoryClient(const DirectoryClient&) = delete;
  DirectoryClient& operator=(const DirectoryClient&) = delete;

  void lookup(std::string address, Done done);

 private:
  struct Pending {
    Done done;
    std::chrono::steady_clock::time_point deadline;
  };

  bool ensure_connected(Error& why);
  void on_line(std::string_view line);
  void on_close(const Error& why);
  void finish(uint32_t id, Result<DirectoryEntry> result);
  void fail_soon(Done done, Error why);
  void report_failures();
  void expire();
  uint32_t next_id();

  net::EventLoop& loop_;
  std::string socket_path_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<net::IpcChannel> channel_;
  std::map<uint32_t, Pending> pending_;
  std::vector<std::pair<Done, Error>> failures_;  // reported from the loop by report_timer_
  net::Timer report_timer_;
  net::Timer expiry_timer_;  // ticks while lookups are pending
  uint32_t last_id_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// For worker threads that look up many addresses (qmgr): blocking lookups
// over connections to authd kept between them, so a message costs no
// connect. Thread-safe: each lookup takes an idle connection (or makes one)
// and gives it back after a whole answer. A kept connection authd closed
// meanwhile (a restart) is replaced once within the same lookup.
class BlockingDirectory {
 public:
  explicit BlockingDirectory(std::string socket_path,
                             std::chrono::milliseconds timeout = kLookupTimeout,
                             size_t max_idle = 32);
  Result<DirectoryEntry> lookup(std::string_view address);

 private:
  std::string socket_path_;
  std::chrono::milliseconds timeout_;
  size_t max_idle_;
  std::mutex mutex_;
  std::vector<net::IpcLineClient> idle_;
};

// For tools: connects to the config's auth_socket, asks once, waits at most
// `timeout`.
Result<DirectoryEntry> lookup_blocking(const core::Config& config, std::string_view address,
                                       std::chrono::milliseconds timeout = kLookupTimeout);

}  // namespace gm::auth
