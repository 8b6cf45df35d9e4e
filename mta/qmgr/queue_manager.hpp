// qmgr's scheduler on the event loop: what to attempt and when. Scans
// incoming/, maildrop/ and the due part of deferred/ on a trigger and every
// queue_run_delay; runs at most `concurrency` attempts at once (the one
// local destination); every disk and socket call happens on the worker
// threads (message_delivery.hpp), never on the loop.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "mail/queue_store.hpp"
#include "message_delivery.hpp"
#include "net/event_loop.hpp"
#include "net/worker_pool.hpp"

namespace gm::qmgr {

// Moves every file in active/ back to incoming/ (a crash left them there)
// and creates the queue directories. Blocking; at startup.
Status recover_queue(mail::QueueStore& store);

// Moves valid files from maildrop/ to incoming/ and the rest to corrupt/.
// Blocking. Returns how many it moved to incoming/.
size_t collect_maildrop(const std::string& spool_dir);

class QueueManager {
 public:
  QueueManager(net::EventLoop& loop, QmgrSettings settings);

  void start();
  // "new": scan incoming/ and maildrop/; "new ID": take incoming/ID without
  // a scan; "flush": also every deferred message now.
  void trigger(std::string_view what);
  // Every message's listing line (mail/queue_listing.hpp), read on a
  // worker; `done` gets them on the loop, ended by kListingEnd.
  void list(std::function<void(std::string lines)> done);

 private:
  struct Candidate {
    std::string id;
    mail::QueueName queue;
  };
  void scan(bool flush);
  void scanned(std::vector<Candidate> found);
  void take(Candidate c);  // queues c unless it is queued or in flight already
  void dispatch();

  net::EventLoop& loop_;
  QmgrSettings settings_;
  std::unique_ptr<mail::QueueStore> store_;
  net::WorkerPool workers_;
  net::Timer periodic_;
  bool scanning_ = false;
  bool rescan_ = false;
  bool rescan_flush_ = false;
  std::set<std::string> in_flight_;
  std::set<std::string> waiting_ids_;
  std::deque<Candidate> waiting_;
};

}  // namespace gm::qmgr
