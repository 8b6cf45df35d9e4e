#include "imap_mailbox_view.hpp"

#include <algorithm>

namespace gm::maa {
namespace {

ViewEntry entry_of(const mail::MessageRecord& r) {
  return ViewEntry{r.uid, r.keyword_bits, r.modseq, r.flags};
}

bool same_flags(const ViewEntry& a, const ViewEntry& b, bool with_modseq) {
  return a.flags == b.flags && a.keyword_bits == b.keyword_bits &&
         (!with_modseq || a.modseq == b.modseq);
}

const std::vector<ViewEntry> kNoEntries;

}  // namespace

SnapshotPtr ViewSnapshot::of(std::span<const mail::MessageRecord> records) {
  auto snapshot = std::make_shared<ViewSnapshot>();
  snapshot->entries.reserve(records.size());
  for (const auto& r : records) snapshot->entries.push_back(entry_of(r));
  return snapshot;
}

const std::vector<ViewEntry>& MailboxView::base() const {
  return base_ ? base_->entries : kNoEntries;
}

void MailboxView::reset(SnapshotPtr snapshot) {
  base_ = std::move(snapshot);
  ghosts_.clear();
  ghost_seqs_.clear();
  reported_.clear();
}

const ViewEntry& MailboxView::known(const ViewEntry& in_base) const {
  auto it = std::lower_bound(reported_.begin(), reported_.end(), in_base.uid,
                             [](const ViewEntry& e, uint32_t uid) { return e.uid < uid; });
  return it != reported_.end() && it->uid == in_base.uid ? *it : in_base;
}

bool MailboxView::reuse(const SnapshotPtr& now, bool announce_expunges, bool with_modseq,
                        ViewUpdates& updates) {
  const auto& memo = now->diff_to_here;
  if (!base_ || private_entries() != 0 || !memo || memo->from.lock() != base_ ||
      memo->announce_expunges != announce_expunges || memo->with_modseq != with_modseq)
    return false;
  updates = memo->updates;
  ghosts_ = memo->ghosts;
  ghost_seqs_ = memo->ghost_seqs;
  base_ = now;
  return true;
}

ViewUpdates MailboxView::refresh(SnapshotPtr now, bool announce_expunges, bool with_modseq) {
  ViewUpdates updates;
  if (reuse(now, announce_expunges, with_modseq, updates)) return updates;
  bool memoise = base_ && private_entries() == 0;
  const auto& old = base();
  const auto& next = now->entries;
  std::vector<uint32_t> ghosts, ghost_seqs;
  // A UID below our last one that we never saw (a rebuild that found an old
  // file again) must not shift our sequence numbers: such UIDs are left
  // out of a private copy of the snapshot.
  bool unseen_below = false;
  uint32_t seq = 0;  // in the new view
  size_t b = 0, g = 0, n = 0;
  while (b < old.size() || g < ghosts_.size()) {
    bool ghost = g < ghosts_.size() && (b == old.size() || ghosts_[g] < old[b].uid);
    uint32_t uid = ghost ? ghosts_[g++] : old[b++].uid;
    for (; n < next.size() && next[n].uid < uid; ++n) unseen_below = true;
    bool present = n < next.size() && next[n].uid == uid;
    if (present && ghost) {  // announced as gone to no one, yet it came back: keep it gone
      unseen_below = true;
      present = false;
      ++n;
    }
    if (present) {
      if (!same_flags(known(old[b - 1]), next[n], with_modseq))
        updates.flags_changed.push_back(seq + 1);
      ++seq;
      ++n;
    } else if (announce_expunges) {
      updates.expunged_uids.push_back(uid);
      // Later EXPUNGEs count from the view with the earlier ones removed.
      updates.expunged_seqs.push_back(seq + 1);
    } else {
      ghosts.push_back(uid);
      ghost_seqs.push_back(++seq);
    }
  }
  updates.exists_changed = n < next.size();  // all above our last UID
  if (unseen_below) {
    uint32_t last = last_uid();
    auto own = std::make_shared<ViewSnapshot>();
    for (const ViewEntry& e : next) {
      bool known_uid =
          std::binary_search(old.begin(), old.end(), e,
                             [](const ViewEntry& x, const ViewEntry& y) { return x.uid < y.uid; });
      if (known_uid || e.uid > last) own->entries.push_back(e);
    }
    now = std::move(own);
    memoise = false;
  }
  if (memoise)
    now->diff_to_here =
        ViewSnapshot::Diff{base_, announce_expunges, with_modseq, updates, ghosts, ghost_seqs};
  base_ = std::move(now);
  ghosts_ = std::move(ghosts);
  ghost_seqs_ = std::move(ghost_seqs);
  reported_.clear();
  return updates;
}

std::pair<size_t, bool> MailboxView::ghosts_before(uint32_t seq) const {
  auto it = std::lower_bound(ghost_seqs_.begin(), ghost_seqs_.end(), seq);
  return {static_cast<size_t>(it - ghost_seqs_.begin()), it != ghost_seqs_.end() && *it == seq};
}

uint32_t MailboxView::uid_at(uint32_t seq) const {
  auto [before, is_ghost] = ghosts_before(seq);
  return is_ghost ? ghosts_[before] : base()[seq - 1 - before].uid;
}

bool MailboxView::expunged_at(uint32_t seq) const {
  return ghosts_before(seq).second;
}

uint32_t MailboxView::last_uid() const {
  uint32_t last = base().empty() ? 0 : base().back().uid;
  return ghosts_.empty() ? last : std::max(last, ghosts_.back());
}

std::optional<uint32_t> MailboxView::seq_of(uint32_t uid) const {
  uint32_t seq = lower_bound(uid);
  if (seq <= exists() && uid_at(seq) == uid) return seq;
  return std::nullopt;
}

uint32_t MailboxView::lower_bound(uint32_t uid) const {
  const auto& entries = base();
  auto in_base = std::lower_bound(entries.begin(), entries.end(), uid,
                                  [](const ViewEntry& e, uint32_t u) { return e.uid < u; });
  auto in_ghosts = std::lower_bound(ghosts_.begin(), ghosts_.end(), uid);
  return static_cast<uint32_t>((in_base - entries.begin()) + (in_ghosts - ghosts_.begin())) + 1;
}

void MailboxView::note_reported(uint32_t seq, const mail::MessageRecord& record) {
  auto [before, is_ghost] = ghosts_before(seq);
  if (is_ghost) return;
  const ViewEntry& in_base = base()[seq - 1 - before];
  ViewEntry now = entry_of(record);
  auto it = std::lower_bound(reported_.begin(), reported_.end(), now.uid,
                             [](const ViewEntry& e, uint32_t uid) { return e.uid < uid; });
  bool listed = it != reported_.end() && it->uid == now.uid;
  if (now == in_base) {
    if (listed) reported_.erase(it);
  } else if (listed) {
    *it = now;
  } else {
    reported_.insert(it, now);
  }
}

}  // namespace gm::maa
