// Waking the queue manager (qmgr(8), TRIGGER): connect to its trigger
// socket (gm.conf queue_trigger_socket) and write lines, one per request.
//   "new\n"    a message was committed to incoming/ or maildrop/ (qmgr scans)
//   "new ID\n" message ID was committed to incoming/ (qmgr takes it, no scan)
//   "flush\n"  retry every deferred message now (gmctl queue flush)
// Best effort: qmgr also scans every queue_run_delay, so a lost trigger
// only delays a message; a failure here is never an error for the caller's
// client (the message is already durable).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/config.hpp"
#include "core/result.hpp"
#include "core/unique_fd.hpp"

namespace gm::mail {

inline constexpr std::string_view kTriggerNew = "new";
inline constexpr std::string_view kTriggerFlush = "flush";
inline constexpr std::chrono::milliseconds kTriggerTimeout{1000};

// "new ID": what a server sends after committing message ID to incoming/.
std::string trigger_new_message(std::string_view queue_id);

// For tools: waits at most kTriggerTimeout for a full listen backlog; the
// error says why qmgr could not be told (gmctl queue flush reports it).
Status trigger_queue_manager(const core::Config& config, std::string_view what);

// For daemons on an event loop: never waits. A nonblocking connect to a
// Unix socket either completes at once or fails (backlog full), and a few
// bytes always fit a fresh socket's buffer. Failures are logged at debug
// level and otherwise ignored.
void trigger_queue_manager_nowait(const std::string& socket_path, std::string_view what);

// For a daemon that triggers once per message (msa, mta): one connection
// kept open between triggers, so a busy server does not cost itself and
// qmgr a connect, an accept and a close per message. Never waits: a full
// socket buffer (qmgr not reading) drops the request, and a connection qmgr
// closed (a restart) is replaced once per request. One event loop only.
class QueueTrigger {
 public:
  void send(const std::string& socket_path, std::string_view what);

 private:
  bool write_line(std::string_view line);

  std::string path_;  // what fd_ is connected to
  UniqueFd fd_;
};

}  // namespace gm::mail
