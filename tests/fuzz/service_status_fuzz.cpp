// libFuzzer target: gmctl's reader of gm-master's STATUS lines; a line that
// parses must format back to a line that parses to the same status.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/service_status.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  auto status = gm::core::parse_status_line(line);
  if (status.ok()) {
    auto again = gm::core::parse_status_line(gm::core::format_status_line(*status));
    if (!again.ok() || !(*again == *status)) std::abort();
  }
  return 0;
}
