// The selected mailbox as this client knows it (RFC 9051 7.5): sequence
// number -> UID and the flags last reported for each message. refresh()
// compares it with the folder's current state and says what to announce
// (EXPUNGE or VANISHED, EXISTS, FETCH FLAGS), then becomes the new view.
// During FETCH, STORE and SEARCH by sequence number expunges must not be
// announced (RFC 9051 7.5.1); the vanished messages stay as ghosts until a
// command that may announce them.
//
// Thousands of sessions of one user may select one 10,000-message folder,
// so a view does not copy it: it points at an immutable ViewSnapshot of
// (uid, flags, keywords, modseq) that the shared folder builds once per
// change and every session at that state shares, plus small per-session
// deltas: the ghosts, and the messages whose flags a FETCH or STORE
// reported ahead of the snapshot. After refresh() the deltas are empty but
// for ghosts, so idle sessions all point at one snapshot.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "mail/mailbox_folder.hpp"

namespace gm::maa {

struct ViewEntry {
  uint32_t uid = 0;
  uint32_t keyword_bits = 0;
  uint64_t modseq = 0;
  uint8_t flags = 0;
  bool operator==(const ViewEntry&) const = default;
};

struct ViewUpdates {
  std::vector<uint32_t> expunged_seqs;  // EXPUNGE order: each is valid after the ones before
  std::vector<uint32_t> expunged_uids;  // ascending, for VANISHED
  bool exists_changed = false;
  std::vector<uint32_t> flags_changed;  // sequence numbers after the expunges
};

struct ViewSnapshot;
using SnapshotPtr = std::shared_ptr<const ViewSnapshot>;

// One state of a folder, ascending by UID; the entries never change once
// built. Views without private entries that move from one snapshot to the
// next all compute the same diff (thousands of IDLE sessions after one
// delivery): the last one is memoised here. maa-mail is single-threaded.
struct ViewSnapshot {
  std::vector<ViewEntry> entries;
  static SnapshotPtr of(std::span<const mail::MessageRecord> records);

  struct Diff {
    std::weak_ptr<const ViewSnapshot> from;
    bool announce_expunges = false, with_modseq = false;
    ViewUpdates updates;
    std::vector<uint32_t> ghosts, ghost_seqs;
  };
  mutable std::optional<Diff> diff_to_here;
};

class MailboxView {
 public:
  void reset(SnapshotPtr snapshot);
  // with_modseq: a new MODSEQ alone counts as a change (CONDSTORE clients
  // resync on it); otherwise only flags and keywords do.
  ViewUpdates refresh(SnapshotPtr now, bool announce_expunges, bool with_modseq);
  // The same from records (tests): a snapshot of its own.
  void reset(std::span<const mail::MessageRecord> records) { reset(ViewSnapshot::of(records)); }
  ViewUpdates refresh(std::span<const mail::MessageRecord> records, bool announce_expunges,
                      bool with_modseq) {
    return refresh(ViewSnapshot::of(records), announce_expunges, with_modseq);
  }
  // The snapshot the view was last brought up to.
  const SnapshotPtr& snapshot() const { return base_; }

  uint32_t exists() const { return static_cast<uint32_t>(base().size() + ghosts_.size()); }
  uint32_t uid_at(uint32_t seq) const;
  bool expunged_at(uint32_t seq) const;
  // Expunged messages kept until a command may announce them.
  bool has_ghosts() const { return !ghosts_.empty(); }
  uint32_t last_uid() const;
  // The sequence number of a UID still in the view.
  std::optional<uint32_t> seq_of(uint32_t uid) const;
  // The first sequence number whose UID is >= uid (exists()+1 if none).
  uint32_t lower_bound(uint32_t uid) const;
  // After a FETCH that reported this message's flags.
  void note_reported(uint32_t seq, const mail::MessageRecord& record);
  // Per-session bytes beyond the shared snapshot (tests, memory budgets).
  size_t private_entries() const { return ghosts_.size() + reported_.size(); }

 private:
  const std::vector<ViewEntry>& base() const;
  // How many ghosts come before sequence number seq, and whether seq is one.
  std::pair<size_t, bool> ghosts_before(uint32_t seq) const;
  // What the client was told about a message of the snapshot.
  const ViewEntry& known(const ViewEntry& in_base) const;

  bool reuse(const SnapshotPtr& now, bool announce_expunges, bool with_modseq,
             ViewUpdates& updates);

  SnapshotPtr base_;
  // Expunged, not yet announced: ascending UIDs and their sequence numbers.
  std::vector<uint32_t> ghosts_, ghost_seqs_;
  // Flags reported ahead of base_ (ascending UID), until the next refresh.
  std::vector<ViewEntry> reported_;
};

}  // namespace gm::maa
