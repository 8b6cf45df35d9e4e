#include "mail/queue_id.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>

namespace gm::mail {
namespace {

constexpr std::string_view kDigits =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr size_t kTimeDigits = 10, kPidDigits = 4, kCounterDigits = 3;

void append_base62(std::string& out, uint64_t value, size_t width) {
  std::string digits(width, '0');
  for (size_t i = width; i-- > 0; value /= 62) digits[i] = kDigits[value % 62];
  out += digits;
}

int digit_value(char c) {
  auto pos = kDigits.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

uint64_t now_micros() {
  using namespace std::chrono;
  return static_cast<uint64_t>(
      duration_cast<microseconds>(system_clock::now().time_since_epoch()).count());
}

}  // namespace

std::string make_queue_id(uint64_t micros, uint32_t pid, uint32_t counter) {
  std::string id;
  id.reserve(kQueueIdLength);
  append_base62(id, micros, kTimeDigits);
  append_base62(id, pid, kPidDigits);
  append_base62(id, counter, kCounterDigits);
  return id;
}

std::string new_queue_id() {
  // The time never goes backwards within one process, so IDs from one
  // process sort in the order they were made.
  static std::atomic<uint64_t> last_micros{0};
  static std::atomic<uint32_t> counter{0};
  uint64_t now = now_micros();
  uint64_t last = last_micros.load();
  while (now > last && !last_micros.compare_exchange_weak(last, now)) {
  }
  now = std::max(now, last);
  constexpr uint32_t kCounterSpan = 62 * 62 * 62;
  return make_queue_id(now, static_cast<uint32_t>(::getpid()), counter++ % kCounterSpan);
}

bool is_valid_queue_id(std::string_view id) {
  if (id.size() != kQueueIdLength) return false;
  for (char c : id)
    if (digit_value(c) < 0) return false;
  return true;
}

std::optional<uint64_t> queue_id_micros(std::string_view id) {
  if (!is_valid_queue_id(id)) return std::nullopt;
  uint64_t value = 0;
  for (char c : id.substr(0, kTimeDigits))
    value = value * 62 + static_cast<uint64_t>(digit_value(c));
  return value;
}

}  // namespace gm::mail
