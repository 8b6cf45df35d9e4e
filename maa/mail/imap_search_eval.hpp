// SEARCH criteria (imap_search.hpp's SearchNode tree) evaluated against the selected
// mailbox: flags, sizes, dates and sets from the index; header and body
// text through mime_search.hpp's decoding helpers, reading a message only when a
// key needs its content.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "core/result.hpp"
#include "imap_mailbox_view.hpp"
#include "imap_message.hpp"
#include "mail/imap_search.hpp"
#include "mail/mailbox_folder.hpp"

namespace gm::maa {

class SearchEvaluator {
 public:
  SearchEvaluator(const mail::MailboxFolder& folder, const MailboxView& view)
      : folder_(folder), view_(view) {}

  // Resolves every sequence set of the tree once; an error (a message
  // number beyond the mailbox, "$") is the command's BAD.
  Status prepare(const mail::SearchNode& root);
  bool matches(const mail::SearchNode& node, uint32_t seq, MessageContent& message);
  // Every message (sequence numbers, ascending) that matches, expunged
  // ghosts left out; the highest MODSEQ among them in *max_modseq.
  std::vector<uint32_t> run(const mail::SearchNode& root, uint64_t* max_modseq = nullptr);

 private:
  bool text_matches(const mail::SearchNode& node, MessageContent& message);
  bool date_matches(const mail::SearchNode& node, int64_t unix_time, int zone_minutes) const;

  const mail::MailboxFolder& folder_;
  const MailboxView& view_;
  std::unordered_map<const mail::SearchNode*, std::vector<mail::SeqRange>> sets_;
};

}  // namespace gm::maa
