// gmctl instance init DIR --domain D --port-base N [--force]
// Creates a self-contained instance for tests, demos and benchmarks: its
// configuration (etc/gm.conf, etc/services.conf), a self-signed certificate,
// the run, spool, data and mail directories, and the user directory with the
// domain in it. Every service listens on 127.0.0.1 at N + its standard port.
// This interface is stable: tests and benchmarks rely on it (gmctl(1)).
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "command.hpp"
#include "core/build_info.hpp"
#include "core/durable_file.hpp"
#include "core/privileges.hpp"
#include "store/address.hpp"
#include "core/str.hpp"
#include "instance_layout.hpp"
#include "options.hpp"

namespace gm::gmctl {
namespace {

constexpr int kMaxPortBase = 65535 - 5269;  // the highest standard port in the table

// The directory holding the daemons: beside gmctl in a build tree, else the
// installed libexec directory.
std::string daemon_directory() {
  std::error_code error;
  auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    auto dir = self.parent_path();
    if (std::filesystem::exists(dir / "authd") && std::filesystem::exists(dir / "gm-master"))
      return dir.string();
  }
  return kInstalledLibexecDir;
}

Result<std::string> absolute(const std::string& path) {
  std::error_code error;
  auto result = std::filesystem::absolute(path, error);
  if (error) return make_error(str_cat(path, ": ", error.message()));
  return result.lexically_normal().string();
}

}  // namespace

int run_instance(Context& context) {
  Options options(context.args);
  if (options.word(0) != "init" || options.word_count() != 2)
    return usage_error("usage: gmctl instance init DIR --domain D --port-base N [--force]");
  auto domain = store::canonical_domain(options.value("--domain"));
  auto port_base = parse_number<int>(options.value("--port-base", "0"));
  bool force = options.flag("--force");
  if (auto error = options.error(); !error.empty()) return usage_error(error);
  if (!domain) return usage_error(str_cat("--domain: ", domain.error().message));
  if (!port_base || *port_base < 0 || *port_base > kMaxPortBase)
    return usage_error(str_cat("--port-base must be 0..", kMaxPortBase));
  auto dir = absolute(options.word(1));
  if (!dir) return failure(dir.error().message);
  if (std::filesystem::exists(*dir + "/etc/gm.conf") && !force)
    return failure(*dir + " already holds an instance (use --force to overwrite its configuration)");

  std::string user = core::current_account().name;
  if (user.empty()) return failure("cannot find the name of the current user");
  InstanceLayout layout{*dir, *domain, *port_base, daemon_directory(), user};
  if (auto status = create_instance(layout); !status) return failure(status.error().message);
  std::printf("instance %s for %s created\n", dir->c_str(), domain->c_str());
  std::printf("run it:    gm-master -c %s/etc/gm.conf --foreground\n", dir->c_str());
  std::printf("manage it: gmctl -c %s/etc/gm.conf ...\n", dir->c_str());
  for (const ServiceSpec& service : standard_services()) {
    if (!service_installed(layout, service)) continue;
    for (const ListenerSpec& listener : service.listeners)
      if (listener.port != 0)
        std::printf("  %-12s 127.0.0.1:%d\n", std::string(listener.name).c_str(),
                    *port_base + listener.port);
  }
  return kExitOk;
}

}  // namespace gm::gmctl
