// Every message waiting in the spool, for mailq(1) and gmctl queue: the
// queues of queue_store.hpp plus the maildrop. Reads envelopes only, never
// content (administrators do not read users' mail without consent).
// Blocks on the disk: tools only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "mail/queue_envelope.hpp"

namespace gm::mail {

// Queue names in listing order; "maildrop" last (not a QueueName: the
// queue store does not own it).
inline constexpr std::string_view kListedQueues[] = {"maildrop", "incoming", "active",
                                                     "deferred", "hold",     "corrupt"};

struct QueueListing {
  std::string queue;  // "incoming", ..., "maildrop"
  std::string id;
  uint64_t size = 0;  // content bytes
  Envelope envelope;  // with recipients' states; empty if unreadable
  std::string error;  // why the file could not be read ("" if it could)
};

// All messages of one queue, oldest first. A missing directory is empty.
Result<std::vector<QueueListing>> list_queue(const std::string& spool_dir, std::string_view queue);
// All messages of every queue.
Result<std::vector<QueueListing>> list_all_queues(const std::string& spool_dir);
// mailq for a user who may not read the spool asks qmgr instead ("list" on
// its trigger socket, qmgr(8)): one line per message with what mailq shows
// (queue, ID, size, arrival, sender, read error, and the pending recipients
// with their last replies), then kListingEnd. Nothing else of the envelope
// (client address, authentication, TLS, ORCPT) leaves qmgr.
inline constexpr std::string_view kListingRequest = "list";
inline constexpr std::string_view kListingEnd = ".";
inline constexpr std::string_view kListingFailed = "!";  // "! why", before kListingEnd
std::string encode_listing_line(const QueueListing& entry);
Result<QueueListing> decode_listing_line(std::string_view line);

// The queue holding `id`, searched in every queue.
Result<std::string> find_queue_of(const std::string& spool_dir, std::string_view id);

}  // namespace gm::mail
