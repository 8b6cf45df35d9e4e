#include "latency_recorder.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace gm::bench {

double LatencyRecorder::percentile(double p) {
  if (samples_.empty()) return 0;
  if (!sorted_) std::sort(samples_.begin(), samples_.end());
  sorted_ = true;
  auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(samples_.size())));
  return samples_[std::clamp<size_t>(rank, 1, samples_.size()) - 1];
}

std::string LatencyRecorder::json(const std::string& op, double elapsed_seconds) {
  char out[320];
  double rate = elapsed_seconds > 0 ? static_cast<double>(count()) / elapsed_seconds : 0;
  std::snprintf(out, sizeof out,
                "{\"op\": \"%s\", \"count\": %zu, \"errors\": %zu, \"seconds\": %.3f, "
                "\"ops_per_s\": %.2f, \"p50_ms\": %.3f, \"p99_ms\": %.3f, \"max_ms\": %.3f}",
                op.c_str(), count(), errors(), elapsed_seconds, rate, percentile(50) * 1e3,
                percentile(99) * 1e3, percentile(100) * 1e3);
  return out;
}

}  // namespace gm::bench
