// What every program does first: answer --version and --help, and find the
// configuration file (-c FILE, else $GM_CONFIG, else the installed default).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gm::core {

struct ProgramInfo {
  std::string_view name;     // "authd"
  std::string_view purpose;  // one line for --help
  std::string_view usage;    // options beyond the common ones, one per line
};

// Prints and returns an exit code for --version / --help; nullopt otherwise.
std::optional<int> handle_standard_options(int argc, char** argv, const ProgramInfo& info);
// The value of -c FILE / --config FILE / --config=FILE, else $GM_CONFIG,
// else the installed default.
std::string config_path_from_args(int argc, char** argv);
bool has_flag(int argc, char** argv, std::string_view flag);

}  // namespace gm::core
