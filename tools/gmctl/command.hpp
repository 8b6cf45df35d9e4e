// gmctl's command groups. main.cpp holds the table that maps the first word
// to a group; each group lives in its own file and parses its own words.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "core/result.hpp"

namespace gm::gmctl {

struct Context {
  std::string config_path;
  bool json = false;              // --json anywhere on the command line
  bool password_stdin = false;    // --password-stdin anywhere
  std::vector<std::string> args;  // the words after the group name

  Result<core::Config> load_config() const { return core::Config::load(config_path); }
};

// Exit codes (sysexits-like, stable for scripts).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 64;
inline constexpr int kExitUnavailable = 69;
inline constexpr int kExitConfig = 78;

int usage_error(std::string_view message);
int failure(std::string_view message);

// Shared steps of several commands.
Status write_self_signed_cert(const std::string& domain, const std::string& directory, int days);
Status create_directory_with_domain(const std::string& config_path, const std::string& domain);

int run_config(Context& context);
int run_instance(Context& context);
int run_tls(Context& context);
// directory_commands.cpp: the user directory (through authd, or directly while it is down).
int run_user(Context& context);
int run_domain(Context& context);
int run_alias(Context& context);
int run_status(Context& context);  // status_command.cpp: gm-master's services
int run_queue(Context& context);   // queue_commands.cpp: the mail queue on disk

}  // namespace gm::gmctl
