// Settings the mail tools read that other parts of issue 4 declare in
// gm.conf's schema (message_size_limit: smtpd's work; queue_trigger_socket:
// qmgr's). Until those land in the schema, the tools use the documented
// defaults instead of asking Config for a key it does not know.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/config.hpp"
#include "core/result.hpp"

namespace gm::tools {


bool schema_has(const core::Config& config, std::string_view key);
uint64_t message_size_limit(const core::Config& config);
std::string queue_trigger_socket(const core::Config& config);  // default $run_dir/qmgr.sock

// Tells qmgr something happened: "new" (a message in incoming/ or maildrop/)
// or "flush" (retry deferred mail now). Connects to the trigger socket,
// writes one line, closes; blocks at most a second. Best effort: qmgr also
// scans the queue every queue_run_delay, so a lost trigger only delays.
// A minimal client written for the tools; ISSUE4.md's
// lib/mail/queue_trigger (the delivery work) is meant to replace it.
Status trigger_queue_manager(const core::Config& config, std::string_view what);

}  // namespace gm::tools
