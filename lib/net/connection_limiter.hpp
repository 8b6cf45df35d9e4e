// Counts open connections in total and per client address, so one address
// cannot take every slot (max_connections, max_connections_per_address).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

namespace gm::net {

enum class Admission { kAccepted, kTooManyConnections, kTooManyFromAddress };

class ConnectionLimiter {
 public:
  ConnectionLimiter(size_t max_total, size_t max_per_address)
      : max_total_(max_total), max_per_address_(max_per_address) {}

  void set_limits(size_t max_total, size_t max_per_address) {
    max_total_ = max_total;
    max_per_address_ = max_per_address;
  }
  // Counts the connection when it is accepted. An empty address (a Unix
  // socket peer: a local service) counts only toward the total.
  Admission admit(std::string_view address);
  // For every admitted connection, once, when it closes.
  void release(std::string_view address);

  size_t total() const { return total_; }
  size_t count(std::string_view address) const;

 private:
  size_t max_total_;
  size_t max_per_address_;
  size_t total_ = 0;
  std::map<std::string, size_t, std::less<>> per_address_;
};

}  // namespace gm::net
