#include "auth/failure_throttle.hpp"

#include <arpa/inet.h>

#include "core/str.hpp"

namespace gm::auth {

FailureThrottle::FailureThrottle(ThrottlePolicy policy, Now now)
    : policy_(policy), now_(std::move(now)) {}

bool FailureThrottle::address_throttled(std::string_view address) {
  return throttled(addresses_, address);
}

bool FailureThrottle::account_throttled(std::string_view account) {
  return throttled(accounts_, account);
}

void FailureThrottle::record_failure(std::string_view address, std::string_view account) {
  fail(addresses_, address);
  fail(accounts_, account);
}

void FailureThrottle::record_success(std::string_view account) {
  auto it = accounts_.find(account);
  if (it != accounts_.end() && it->second.locked_until <= now_()) accounts_.erase(it);
}

void FailureThrottle::prune() {
  Clock::time_point now = now_();
  prune(addresses_, now);
  prune(accounts_, now);
}

bool FailureThrottle::throttled(Table& table, std::string_view key) {
  if (key.empty()) return false;
  auto it = table.find(key);
  return it != table.end() && now_() < it->second.locked_until;
}

void FailureThrottle::fail(Table& table, std::string_view key) {
  if (key.empty() || policy_.failure_limit == 0) return;  // 0: throttling off
  Clock::time_point now = now_();
  auto it = table.find(key);
  if (it == table.end()) {
    if (table.size() >= kMaxThrottleEntries) prune(table, now);
    if (table.size() >= kMaxThrottleEntries) return;  // full of live lockouts: keep them
    it = table.emplace(std::string(key), Entry{}).first;
  }
  Entry& entry = it->second;
  if (now < entry.locked_until) return;  // already locked out: the lockout does not grow
  while (!entry.failures.empty() && entry.failures.front() <= now - policy_.window)
    entry.failures.pop_front();
  entry.failures.push_back(now);
  if (entry.failures.size() >= policy_.failure_limit) {
    entry.locked_until = now + policy_.lockout;
    entry.failures.clear();
  }
}

void FailureThrottle::prune(Table& table, Clock::time_point now) {
  for (auto it = table.begin(); it != table.end();) {
    Entry& entry = it->second;
    while (!entry.failures.empty() && entry.failures.front() <= now - policy_.window)
      entry.failures.pop_front();
    if (entry.failures.empty() && entry.locked_until <= now)
      it = table.erase(it);
    else
      ++it;
  }
}

std::string throttle_address_key(std::string_view address) {
  in6_addr v6{};
  std::string text(address);
  if (address.find(':') == std::string_view::npos || inet_pton(AF_INET6, text.c_str(), &v6) != 1 ||
      IN6_IS_ADDR_V4MAPPED(&v6))
    return text;
  for (int i = 8; i < 16; ++i) v6.s6_addr[i] = 0;
  char out[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, &v6, out, sizeof out);
  return str_cat(out, "/64");
}

}  // namespace gm::auth
