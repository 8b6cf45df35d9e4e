#include "backoff.hpp"

#include <algorithm>

namespace gm::qmgr {

std::chrono::seconds retry_delay(const BackoffPolicy& policy, uint32_t attempts) {
  auto minimal = std::max(policy.minimal, std::chrono::seconds(1));
  auto maximal = std::max(policy.maximal, minimal);
  std::chrono::seconds delay = minimal;
  for (uint32_t i = 1; i < attempts && delay < maximal; ++i) delay *= 2;
  return std::min(delay, maximal);
}

}  // namespace gm::qmgr
