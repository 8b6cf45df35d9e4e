// Per-operation latency samples of one benchmark phase, summarised as
// count, rate and percentiles.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gm::bench {

class LatencyRecorder {
 public:
  void record(double seconds) { samples_.push_back(seconds); }
  void error() { ++errors_; }
  size_t count() const { return samples_.size(); }
  size_t errors() const { return errors_; }
  // The p-th percentile (0..100) in seconds, nearest rank; 0 without samples.
  double percentile(double p);
  // One JSON object: op, count, errors, seconds, ops_per_s, p50_ms, p99_ms, max_ms.
  std::string json(const std::string& op, double elapsed_seconds);

 private:
  std::vector<double> samples_;
  size_t errors_ = 0;
  bool sorted_ = false;
};

}  // namespace gm::bench
