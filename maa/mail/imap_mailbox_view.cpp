#include "imap_mailbox_view.hpp"

#include <algorithm>

namespace gm::maa {

MailboxView::Entry MailboxView::entry_of(const mail::MessageRecord& r) {
  return Entry{r.uid, r.flags, false, r.keyword_bits, r.modseq};
}

bool MailboxView::same_flags(const Entry& e, const mail::MessageRecord& r, bool with_modseq) {
  return e.flags == r.flags && (!with_modseq || e.modseq == r.modseq) &&
         e.keyword_bits == r.keyword_bits;
}

void MailboxView::reset(std::span<const mail::MessageRecord> records) {
  entries_.clear();
  ghosts_ = 0;
  entries_.reserve(records.size());
  for (const auto& r : records) entries_.push_back(entry_of(r));
}

ViewUpdates MailboxView::refresh(std::span<const mail::MessageRecord> records,
                                 bool announce_expunges, bool with_modseq) {
  ViewUpdates updates;
  ghosts_ = 0;
  std::vector<Entry> next;
  next.reserve(std::max(entries_.size(), records.size()));
  // Both lists ascend by UID: one merge walk.
  size_t r = 0;
  for (auto& e : entries_) {
    while (r < records.size() && records[r].uid < e.uid) ++r;  // never seen: cannot happen
    if (r < records.size() && records[r].uid == e.uid) {
      if (!same_flags(e, records[r], with_modseq)) {
        updates.flags_changed.push_back(static_cast<uint32_t>(next.size() + 1));
        Entry fresh = entry_of(records[r]);
        next.push_back(std::move(fresh));
      } else {
        e.modseq = records[r].modseq;
        next.push_back(std::move(e));
      }
      ++r;
    } else if (announce_expunges) {
      updates.expunged_uids.push_back(e.uid);
      // Later EXPUNGEs count from the view with the earlier ones removed.
      updates.expunged_seqs.push_back(static_cast<uint32_t>(next.size() + 1));
    } else {
      e.gone = true;
      ++ghosts_;
      next.push_back(std::move(e));
    }
  }
  uint32_t last = entries_.empty() ? 0 : entries_.back().uid;
  for (; r < records.size(); ++r) {
    if (records[r].uid <= last) continue;
    next.push_back(entry_of(records[r]));
    updates.exists_changed = true;
  }
  entries_ = std::move(next);
  return updates;
}

std::optional<uint32_t> MailboxView::seq_of(uint32_t uid) const {
  uint32_t seq = lower_bound(uid);
  if (seq <= exists() && entries_[seq - 1].uid == uid) return seq;
  return std::nullopt;
}

uint32_t MailboxView::lower_bound(uint32_t uid) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), uid,
                             [](const Entry& e, uint32_t u) { return e.uid < u; });
  return static_cast<uint32_t>(it - entries_.begin()) + 1;
}

void MailboxView::note_reported(uint32_t seq, const mail::MessageRecord& record) {
  Entry& e = entries_[seq - 1];
  e.flags = record.flags;
  e.modseq = record.modseq;
  e.keyword_bits = record.keyword_bits;
}

}  // namespace gm::maa
