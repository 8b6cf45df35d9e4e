// Sessions per user (maa_max_sessions_per_user), counted by the login
// process over every session it relays, IMAP and POP3 together. maa runs
// as one process (services.conf limit 1), so its count is the user's
// count; with several maa processes each counts its own.
#pragma once

#include <cstddef>
#include <map>
#include <string>

namespace gm::maa {

class UserSessions {
 public:
  explicit UserSessions(size_t max_per_user) : max_(max_per_user) {}

  // One relayed session; releases its count when destroyed.
  class Slot {
   public:
    Slot() = default;
    Slot(UserSessions* owner, std::string user) : owner_(owner), user_(std::move(user)) {}
    Slot(Slot&& other) noexcept;
    Slot& operator=(Slot&& other) noexcept;
    ~Slot();
    explicit operator bool() const { return owner_ != nullptr; }

   private:
    UserSessions* owner_ = nullptr;
    std::string user_;
  };

  // An empty Slot when the user has max_per_user sessions already (0: no limit).
  Slot take(const std::string& user);
  size_t count(const std::string& user) const;

 private:
  void release(const std::string& user);
  size_t max_;
  std::map<std::string, size_t> counts_;
};

}  // namespace gm::maa
