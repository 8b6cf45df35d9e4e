#include "core/program.hpp"

#include <cstdio>
#include <cstdlib>

#include "core/build_info.hpp"

namespace gm::core {

std::optional<int> handle_standard_options(int argc, char** argv, const ProgramInfo& info) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--version") {
      std::printf("%.*s (GoodMessaging) %s\n", static_cast<int>(info.name.size()),
                  info.name.data(), kVersion);
      return 0;
    }
    if (arg == "--help" || arg == "-h") {
      std::printf("%.*s - %.*s\n\nUsage: %.*s [options]\n", static_cast<int>(info.name.size()),
                  info.name.data(), static_cast<int>(info.purpose.size()), info.purpose.data(),
                  static_cast<int>(info.name.size()), info.name.data());
      std::printf("  -c, --config FILE   configuration file (default %s, or $GM_CONFIG)\n",
                  kDefaultConfigFile);
      if (!info.usage.empty())
        std::printf("%.*s", static_cast<int>(info.usage.size()), info.usage.data());
      std::printf("  --version           print the version and exit\n"
                  "  --help              print this help and exit\n\n"
                  "See the manual page %.*s for details.\n",
                  static_cast<int>(info.name.size()), info.name.data());
      return 0;
    }
  }
  return std::nullopt;
}

std::string config_path_from_args(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if ((arg == "-c" || arg == "--config") && i + 1 < argc) return argv[i + 1];
    if (arg.starts_with("--config=")) return std::string(arg.substr(9));
  }
  if (const char* env = std::getenv("GM_CONFIG"); env != nullptr && *env != '\0') return env;
  return kDefaultConfigFile;
}

bool has_flag(int argc, char** argv, std::string_view flag) {
  for (int i = 1; i < argc; ++i)
    if (flag == argv[i]) return true;
  return false;
}

}  // namespace gm::core
