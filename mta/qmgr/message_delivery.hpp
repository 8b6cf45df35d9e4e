// One delivery attempt for one message in the active queue (blocking: runs
// on a worker thread). Local recipients go to mda over LMTP; remote ones
// wait (the smtp agent is not written yet); the result of each attempt is
// appended to the queue file (QueueFile::record_state, fdatasync) before
// the file moves on: removed when every recipient is final, else to
// deferred with its next attempt time as mtime. Bounces (RFC 3464) are
// committed as new queue messages before the states that caused them are
// recorded, so a crash repeats a bounce at worst, never loses one.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "auth/directory_client.hpp"
#include "backoff.hpp"
#include "core/config.hpp"
#include "lmtp_pool.hpp"
#include "mail/queue_store.hpp"

namespace gm::qmgr {

inline constexpr size_t kMaxHeaderScan = 256 << 10;  // content bytes searched for headers

// What the worker threads share to reach authd and mda without a connect
// per message.
struct DeliveryConnections {
  DeliveryConnections(std::string auth_socket, std::string lmtp_socket, std::string hostname,
                      size_t concurrency)
      : directory(std::move(auth_socket)),
        lmtp(std::move(lmtp_socket), std::move(hostname), concurrency) {}
  auth::BlockingDirectory directory;
  LmtpPool lmtp;
};

struct QmgrSettings {
  std::shared_ptr<const core::Config> config;  // auth_socket for directory lookups
  std::string spool_dir;
  std::string lmtp_socket;
  std::string hostname;
  BackoffPolicy backoff;
  std::chrono::seconds lifetime{5 * 86400};  // maximal_queue_lifetime
  std::chrono::seconds delay_warning{0};     // delay_warning_time; 0: no delay warnings
  size_t hopcount_limit = 50;
  size_t concurrency = 20;  // default_destination_concurrency_limit
  std::chrono::milliseconds queue_run_delay{300'000};
  std::shared_ptr<DeliveryConnections> connections;  // shared by copies of the settings
  static QmgrSettings from_config(std::shared_ptr<const core::Config> config);
};

struct AttemptResult {
  enum class Kind { kRemoved, kDeferred, kCorrupt, kError } kind = Kind::kError;
  size_t delivered = 0, failed = 0, pending = 0;
  bool queued_notification = false;  // a DSN went into incoming/
};

// `id` is in the active queue.
AttemptResult attempt_delivery(mail::QueueStore& store, const QmgrSettings& settings,
                               const std::string& id);

// The number of Received: fields in a header section (stops at the empty line).
size_t count_received(std::string_view headers);

}  // namespace gm::qmgr
