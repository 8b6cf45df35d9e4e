// Fuzzes the gm.conf parser: any bytes give a Config or an Error, never a
// crash, a hang or unbounded memory.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/config.hpp"
#include "core/config_value.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = gm::core::Config::parse(text, "fuzz.conf", "/etc/gm");
  if (config) {
    for (const auto& spec : config->schema()) (void)config->string(spec.name);
  }
  (void)gm::core::parse_duration(text);
  (void)gm::core::parse_size(text);
  return 0;
}
