#include "net/connection_limiter.hpp"

namespace gm::net {

Admission ConnectionLimiter::admit(std::string_view address) {
  if (total_ >= max_total_) return Admission::kTooManyConnections;
  if (!address.empty()) {
    auto it = per_address_.find(address);
    size_t current = it == per_address_.end() ? 0 : it->second;
    if (current >= max_per_address_) return Admission::kTooManyFromAddress;
    if (it == per_address_.end())
      per_address_.emplace(std::string(address), 1);
    else
      ++it->second;
  }
  ++total_;
  return Admission::kAccepted;
}

void ConnectionLimiter::release(std::string_view address) {
  if (total_ > 0) --total_;
  if (address.empty()) return;
  auto it = per_address_.find(address);
  if (it == per_address_.end()) return;
  if (--it->second == 0) per_address_.erase(it);
}

size_t ConnectionLimiter::count(std::string_view address) const {
  auto it = per_address_.find(address);
  return it == per_address_.end() ? 0 : it->second;
}

}  // namespace gm::net
