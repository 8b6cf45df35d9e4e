// gmctl: the administrator's command-line tool for GoodMessaging.
// Runs as the administrator (root in production, the instance owner in
// tests); reads gm.conf; talks to gm-master's control socket and authd's
// admin socket. Output is stable and scriptable; --json on every listing.
// Manual: gmctl(1).
#include <cstdio>
#include <string_view>

#include "command.hpp"
#include "core/program.hpp"

namespace {

struct Group {
  std::string_view name;
  std::string_view summary;
  int (*run)(gm::gmctl::Context&);
};

constexpr Group kGroups[] = {
    {"config", "config check|show: validate or print the effective settings",
     gm::gmctl::run_config},
    {"instance", "instance init DIR --domain D --port-base N: create a self-contained instance",
     gm::gmctl::run_instance},
    {"tls", "tls selfsigned --domain D --out DIR: make a self-signed certificate",
     gm::gmctl::run_tls},
    {"user", "user add|passwd|suspend|unsuspend|delete|list|show: manage users",
     gm::gmctl::run_user},
    {"domain", "domain add|delete|list: manage local domains", gm::gmctl::run_domain},
    {"alias", "alias add|delete|list: manage aliases", gm::gmctl::run_alias},
    {"status", "status [--json]: the services gm-master runs, their pids and state",
     gm::gmctl::run_status},
    {"queue", "queue list|show|hold|release|delete|requeue|flush: the mail queue",
     gm::gmctl::run_queue},
};

constexpr std::string_view kUsage =
    "  --json              machine-readable output for listings\n"
    "  --password-stdin    read a password from standard input instead of a prompt\n";

void print_groups() {
  std::printf("\nCommands:\n");
  for (const Group& group : kGroups)
    std::printf("  %-10.*s %.*s\n", static_cast<int>(group.name.size()), group.name.data(),
                static_cast<int>(group.summary.size()), group.summary.data());
}

}  // namespace

namespace gm::gmctl {

int usage_error(std::string_view message) {
  std::fprintf(stderr, "gmctl: %.*s (see gmctl --help)\n", static_cast<int>(message.size()),
               message.data());
  return kExitUsage;
}

int failure(std::string_view message) {
  std::fprintf(stderr, "gmctl: %.*s\n", static_cast<int>(message.size()), message.data());
  return kExitFailure;
}

}  // namespace gm::gmctl

int main(int argc, char** argv) {
  gm::core::ProgramInfo info{"gmctl", "manage a GoodMessaging installation", kUsage};
  if (auto code = gm::core::handle_standard_options(argc, argv, info)) {
    if (gm::core::has_flag(argc, argv, "--help") || gm::core::has_flag(argc, argv, "-h"))
      print_groups();
    return *code;
  }
  gm::gmctl::Context context;
  context.config_path = gm::core::config_path_from_args(argc, argv);
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "-c" || arg == "--config") {
      ++i;
    } else if (arg.starts_with("--config=")) {
    } else if (arg == "--json") {
      context.json = true;
    } else if (arg == "--password-stdin") {
      context.password_stdin = true;
    } else {
      context.args.emplace_back(arg);
    }
  }
  if (context.args.empty()) return gm::gmctl::usage_error("no command given");
  std::string group = context.args.front();
  context.args.erase(context.args.begin());
  for (const Group& entry : kGroups)
    if (entry.name == group) return entry.run(context);
  return gm::gmctl::usage_error("unknown command '" + group + "'");
}
