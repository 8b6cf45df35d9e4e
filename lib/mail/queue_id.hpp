// Queue IDs: unique across processes and restarts, sortable by arrival time,
// and safe as file names. An ID is 17 characters of base 62 (0-9 A-Z a-z,
// which sort in that order in ASCII):
//   10 characters  microseconds since the epoch (good until year 5700)
//    4 characters  process id (Linux pid_max is at most 2^22 < 62^4)
//    3 characters  per-process counter, so one process never repeats an ID
//                  even within one microsecond
// Uniqueness across restarts rests on time moving forward; the queue store
// also creates files with O_EXCL, so a clash (clock stepped back and the same
// pid reused) is caught and a new ID taken instead of overwriting mail.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gm::mail {

inline constexpr size_t kQueueIdLength = 17;

std::string new_queue_id();
// For tests and tools: the ID for a given time, pid and counter.
std::string make_queue_id(uint64_t micros, uint32_t pid, uint32_t counter);
bool is_valid_queue_id(std::string_view id);
// The arrival time encoded in an ID (microseconds since the epoch).
std::optional<uint64_t> queue_id_micros(std::string_view id);

}  // namespace gm::mail
