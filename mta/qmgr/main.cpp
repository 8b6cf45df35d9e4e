// qmgr: the queue manager (qmgr(8)). Learns of new mail through its trigger
// socket (listener "trigger") and a scan every queue_run_delay; moves each
// message durably to active/, delivers local recipients to mda over LMTP
// (lmtp_socket), keeps remote ones deferred until the smtp agent exists,
// retries with backoff, bounces (RFC 3464) and removes finished messages.
// Runs as unprivileged_user, the owner of spool_dir; reads the directory
// only through authd (LOOKUP). After a crash it resumes from the disk.
#include <csignal>
#include <cstdio>

#include "core/config.hpp"
#include "core/log.hpp"
#include "core/privileges.hpp"
#include "core/program.hpp"
#include "core/str.hpp"
#include "net/listen_fds.hpp"
#include "net/server.hpp"
#include "queue_manager.hpp"
#include "trigger_listener.hpp"

namespace {

int fail(int code, std::string_view message) {
  std::fprintf(stderr, "qmgr: %.*s\n", static_cast<int>(message.size()), message.data());
  gm::log::error(message);
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace gm;
  std::signal(SIGPIPE, SIG_IGN);
  if (auto code = core::handle_standard_options(argc, argv, {"qmgr", "the queue manager", ""}))
    return *code;
  auto config = core::Config::load(core::config_path_from_args(argc, argv));
  if (!config) return fail(net::kExitConfig, config.error().message);
  auto level = log::parse_level(config->string("log_level"));
  log::init({"qmgr", level ? *level : log::Level::kInfo, config->string("syslog_facility"),
             config->boolean("log_stderr")});
  auto inherited = net::take_inherited_listeners();
  if (!inherited) return fail(net::kExitNoListeners, inherited.error().message);
  UniqueFd trigger_fd;
  for (auto& l : *inherited)
    if (l.name == "trigger") trigger_fd = std::move(l.fd);
  if (!trigger_fd)
    return fail(net::kExitNoListeners,
                "no 'trigger' socket inherited (LISTEN_FDS); qmgr is started by gm-master");
  if (geteuid() == 0) {
    auto account = core::lookup_account(config->string("unprivileged_user"));
    if (!account) return fail(net::kExitConfig, account.error().message);
    if (Status s = core::drop_privileges(*account); !s)
      return fail(net::kExitSoftware, s.error().message);
  }
  auto settings =
      qmgr::QmgrSettings::from_config(std::make_shared<const core::Config>(std::move(*config)));
  auto store = mail::make_file_queue_store(settings.spool_dir);
  // Blocking, before the loop runs: nothing else to serve yet.
  if (Status s = qmgr::recover_queue(*store); !s)
    return fail(net::kExitSoftware, s.error().message);
  try {
    net::EventLoop loop;
    qmgr::QueueManager manager(loop, settings);
    qmgr::TriggerListener triggers(
        loop, std::move(trigger_fd), [&](std::string_view what) { manager.trigger(what); },
        [&](std::function<void(std::string)> reply) { manager.list(std::move(reply)); });
    net::SignalHandler term(loop, SIGTERM, [&] { loop.stop(); });
    net::SignalHandler intr(loop, SIGINT, [&] { loop.stop(); });
    manager.start();
    log::info("ready");
    loop.run();
  } catch (const std::runtime_error& e) {
    return fail(net::kExitSoftware, e.what());
  }
  log::info("stopped");
  return 0;
}
