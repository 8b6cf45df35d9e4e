#include "user_sessions.hpp"

#include <utility>

namespace gm::maa {

UserSessions::Slot::Slot(Slot&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), user_(std::move(other.user_)) {}

UserSessions::Slot& UserSessions::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    if (owner_) owner_->release(user_);
    owner_ = std::exchange(other.owner_, nullptr);
    user_ = std::move(other.user_);
  }
  return *this;
}

UserSessions::Slot::~Slot() {
  if (owner_) owner_->release(user_);
}

UserSessions::Slot UserSessions::take(const std::string& user) {
  size_t& n = counts_[user];
  if (max_ > 0 && n >= max_) {
    if (n == 0) counts_.erase(user);
    return {};
  }
  ++n;
  return Slot(this, user);
}

size_t UserSessions::count(const std::string& user) const {
  auto it = counts_.find(user);
  return it == counts_.end() ? 0 : it->second;
}

void UserSessions::release(const std::string& user) {
  auto it = counts_.find(user);
  if (it == counts_.end()) return;
  if (--it->second == 0) counts_.erase(it);
}

}  // namespace gm::maa
