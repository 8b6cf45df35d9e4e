// When qmgr tries a deferred message again (Postfix's exponential backoff):
// minimal_backoff_time after the first failure, doubling with each further
// one, never more than maximal_backoff_time. The next attempt's time is
// kept as the deferred file's mtime, as Postfix does, so it survives a
// restart with no state besides the file.
#pragma once

#include <chrono>
#include <cstdint>

namespace gm::qmgr {

struct BackoffPolicy {
  std::chrono::seconds minimal{300};   // minimal_backoff_time
  std::chrono::seconds maximal{4000};  // maximal_backoff_time
};

// The delay after `attempts` failed attempts (1: the first failure).
std::chrono::seconds retry_delay(const BackoffPolicy& policy, uint32_t attempts);

}  // namespace gm::qmgr
