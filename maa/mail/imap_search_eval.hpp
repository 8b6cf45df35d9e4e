// SEARCH criteria (imap_search.hpp's SearchNode tree) evaluated against the selected
// mailbox: flags, sizes, dates and sets from the index records; header
// fields from the process's HeaderCache; body text through mime_search.hpp's
// decoding helpers, reading a message only when a key needs its content.
//
// prepare() reorders every AND group (and OR pair) so the keys answered
// from the records come first and the file readers last: with AND's and
// OR's short-circuit, "FLAGGED BODY x" reads only the flagged messages.
//
// run_slice() evaluates messages until a budget of file reads is spent, so
// the session can give the event loop back between slices (RFC 9051 5.5:
// the client waits for the answer; other sessions need not).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/result.hpp"
#include "imap_mailbox_view.hpp"
#include "imap_message.hpp"
#include "mail/header_cache.hpp"
#include "mail/imap_search.hpp"
#include "mail/mailbox_folder.hpp"

namespace gm::maa {

// One slice: at most this many messages whose file was opened, and at most
// kSearchSliceMessages messages in all.
inline constexpr size_t kSearchSliceReads = 200;
inline constexpr size_t kSearchSliceMessages = 20000;

class SearchEvaluator {
 public:
  // saved_uids: what "$" means (RFC 5182), the session's saved result.
  SearchEvaluator(const mail::MailboxFolder& folder, const MailboxView& view,
                  mail::HeaderCache* headers = nullptr, std::vector<uint32_t> saved_uids = {})
      : folder_(folder), view_(view), headers_(headers), saved_uids_(std::move(saved_uids)) {}

  // Orders the tree's keys cheapest first (in place), resolves every
  // sequence set ("$" included) and folds every needle once. root must
  // stay where it is until the search is done.
  Status prepare(mail::SearchNode& root);
  // Evaluates the next messages until max_reads of them needed their file
  // (at least one message per call); true once every message is done.
  bool run_slice(const mail::SearchNode& root, size_t max_reads = kSearchSliceReads);
  // The whole search at once (no slicing): the matching sequence numbers.
  std::vector<uint32_t> run(const mail::SearchNode& root, uint64_t* max_modseq = nullptr);

  // What run_slice() found: ascending sequence numbers, expunged ghosts left
  // out; the highest MODSEQ among them.
  const std::vector<uint32_t>& hits() const { return hits_; }
  std::vector<uint32_t> take_hits() { return std::move(hits_); }
  uint64_t max_modseq() const { return max_modseq_; }

  bool matches(const mail::SearchNode& node, uint32_t seq, MessageContent& message);

 private:
  Status prepare_node(const mail::SearchNode& node);
  bool text_matches(const mail::SearchNode& node, MessageContent& message);
  bool header_matches(const mail::SearchNode& node, MessageContent& message);
  bool date_matches(const mail::SearchNode& node, int64_t unix_time, int zone_minutes) const;

  const mail::MailboxFolder& folder_;
  const MailboxView& view_;
  mail::HeaderCache* headers_;
  std::vector<uint32_t> saved_uids_;
  std::unordered_map<const mail::SearchNode*, std::vector<mail::SeqRange>> sets_;
  std::unordered_map<const mail::SearchNode*, std::string> folded_;  // header needles
  uint32_t next_seq_ = 1;
  std::vector<uint32_t> hits_;
  uint64_t max_modseq_ = 0;
};

}  // namespace gm::maa
