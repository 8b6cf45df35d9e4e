// libFuzzer target: the service table parser (services.conf(5)) on any bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/config.hpp"
#include "core/service_table.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const gm::core::Config config = *gm::core::Config::parse(
      "run_dir = /run/gm\nauth_socket = $run_dir/auth.sock\n", "gm.conf", "/etc/gm");
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto table = gm::core::parse_service_table(text, "services.conf", config);
  if (table.ok()) {
    for (const auto& service : table->services)
      for (const auto& listener : service.listeners) (void)listener.describe();
  }
  return 0;
}
