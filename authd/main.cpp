// authd: the auth service of GoodMessaging, the only process that reads
// password secrets (DESIGN.md, Processes and trust).
// - Serves the SASL relay protocol on auth_socket: network daemons relay
//   their clients' SASL exchanges here and never see a secret.
// - Counts failures per client address and per account across every
//   protocol, and throttles both (auth_failure_limit and friends).
// - Owns the user directory in auth_db_dir (Berkeley DB), as its one writer;
//   gmctl manages users through the admin socket, auth_admin_socket.
// Runs as its own unprivileged account (auth_user when started as root).
// Manual: authd(8).
#include <cstdio>

#include "auth_server.hpp"
#include "core/log.hpp"
#include "core/privileges.hpp"
#include "core/program.hpp"
#include "core/str.hpp"
#include "listen_sockets.hpp"
#include "store/user_directory.hpp"
#include "store/writer_lock.hpp"

namespace {

// gmctl holds the directory lock only for one command; wait that long.
constexpr std::chrono::seconds kLockWait{10};

int fail(std::string_view message) {
  gm::log::error(message);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  gm::core::ProgramInfo info{"authd", "the GoodMessaging authentication service", ""};
  if (auto code = gm::core::handle_standard_options(argc, argv, info)) return *code;
  std::string config_path = gm::core::config_path_from_args(argc, argv);
  gm::log::init({"authd", gm::log::Level::kInfo, "none", true});
  auto config = gm::core::Config::load(config_path);
  if (!config) return fail(config.error().message);
  gm::authd::configure_logging(*config);

  // Sockets first (gm-master passes them; binding may need root), then the
  // account, then the files, which belong to that account.
  auto sockets = gm::authd::open_listen_sockets(*config);
  if (!sockets) return fail(sockets.error().message);
  if (gm::core::current_account().uid == 0) {
    auto account = gm::core::lookup_account(config->string("auth_user"));
    if (!account) return fail(account.error().message);
    if (auto s = gm::core::drop_privileges(*account); !s) return fail(s.error().message);
  }
  std::string db_dir = config->path("auth_db_dir");
  auto lock = gm::store::WriterLock::acquire(db_dir, kLockWait);
  if (!lock) return fail(lock.error().message);
  auto directory = gm::store::open_bdb_user_directory(db_dir, *lock);
  if (!directory) return fail(directory.error().message);

  gm::authd::AuthServer server(config_path, *config, std::move(*lock), std::move(*directory));
  return server.run(std::move(*sockets));
}
