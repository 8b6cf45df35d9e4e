// Throttling of failed authentications across every protocol (DESIGN.md:
// authd counts failures per address and per account). Failures are counted
// in a sliding window; when an address or an account reaches the limit it
// is locked out for a fixed time, during which authd refuses its attempts
// without looking at the credentials. The clock is injectable for tests.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace gm::auth {

// Bounds memory against a flood of distinct addresses or names.
inline constexpr size_t kMaxThrottleEntries = 100000;

struct ThrottlePolicy {
  size_t failure_limit = 5;                           // auth_failure_limit; 0: no throttling
  std::chrono::milliseconds window{10 * 60 * 1000};   // auth_failure_window
  std::chrono::milliseconds lockout{15 * 60 * 1000};  // auth_lockout_time
};

class FailureThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  using Now = std::function<Clock::time_point()>;

  explicit FailureThrottle(ThrottlePolicy policy, Now now = Clock::now);
  void set_policy(const ThrottlePolicy& policy) { policy_ = policy; }

  bool address_throttled(std::string_view address);
  bool account_throttled(std::string_view account);
  // Either key may be empty (unknown).
  void record_failure(std::string_view address, std::string_view account);
  // A success clears the account's count, never the address's (one good
  // login must not reset an address that guesses at other accounts).
  void record_success(std::string_view account);
  // Forgets failures out of the window and lockouts that ended.
  void prune();
  size_t tracked_entries() const { return addresses_.size() + accounts_.size(); }

 private:
  struct Entry {
    std::deque<Clock::time_point> failures;  // within the window, oldest first
    Clock::time_point locked_until{};
  };
  using Table = std::map<std::string, Entry, std::less<>>;

  bool throttled(Table& table, std::string_view key);
  void fail(Table& table, std::string_view key);
  void prune(Table& table, Clock::time_point now);

  ThrottlePolicy policy_;
  Now now_;
  Table addresses_;
  Table accounts_;
};

// The key an address is counted under: IPv6 addresses by their /64 (one
// host usually holds a whole /64), anything else as given.
std::string throttle_address_key(std::string_view address);

}  // namespace gm::auth
