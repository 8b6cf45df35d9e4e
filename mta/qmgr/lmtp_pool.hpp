// Connections from qmgr to mda kept between deliveries, as Postfix's lmtp
// client caches them: a worker thread takes a greeted connection (LHLO
// answered), runs one transaction on it and gives it back when that ended
// cleanly. Saves a connect, an accept, the greeting, LHLO and QUIT per
// message. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "lmtp_client.hpp"

namespace gm::qmgr {

// A kept connection unused for longer is closed rather than reused: mda
// may be about to time it out, and a burst's connections need not linger.
inline constexpr std::chrono::seconds kLmtpIdleReuse{10};

class LmtpPool {
 public:
  LmtpPool(std::string socket_path, std::string hostname, size_t max_idle);

  // A kept connection (reused() true) when there is one, else a new
  // greeted one. `fresh`: always a new one (the kept one just failed).
  Result<LmtpClient> take(bool fresh = false);
  // Only for a connection whose last transaction ended with every reply read.
  void give_back(LmtpClient client);

 private:
  struct Idle {
    LmtpClient client;
    std::chrono::steady_clock::time_point since;
  };
  Result<LmtpClient> open() const;

  std::string socket_path_;
  std::string hostname_;
  size_t max_idle_;
  std::mutex mutex_;
  std::vector<Idle> idle_;  // the most recently used last
};

}  // namespace gm::qmgr
