// The selected mailbox as this client knows it (RFC 9051 7.5): sequence
// number -> UID and the flags last reported for each message. refresh()
// compares it with the folder's current records and says what to announce
// (EXPUNGE or VANISHED, EXISTS, FETCH FLAGS), then becomes the new view.
// During FETCH, STORE and SEARCH by sequence number expunges must not be
// announced (RFC 9051 7.5.1); the vanished messages stay as ghosts until a
// command that may announce them.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "mail/mailbox_folder.hpp"

namespace gm::maa {

struct ViewUpdates {
  std::vector<uint32_t> expunged_seqs;  // EXPUNGE order: each is valid after the ones before
  std::vector<uint32_t> expunged_uids;  // ascending, for VANISHED
  bool exists_changed = false;
  std::vector<uint32_t> flags_changed;  // sequence numbers after the expunges
};

class MailboxView {
 public:
  void reset(std::span<const mail::MessageRecord> records);
  // with_modseq: a new MODSEQ alone counts as a change (CONDSTORE clients
  // resync on it); otherwise only flags and keywords do.
  ViewUpdates refresh(std::span<const mail::MessageRecord> records, bool announce_expunges,
                      bool with_modseq);

  uint32_t exists() const { return static_cast<uint32_t>(entries_.size()); }
  uint32_t uid_at(uint32_t seq) const { return entries_[seq - 1].uid; }
  bool expunged_at(uint32_t seq) const { return entries_[seq - 1].gone; }
  // Expunged messages kept until a command may announce them.
  bool has_ghosts() const { return ghosts_ != 0; }
  uint32_t last_uid() const { return entries_.empty() ? 0 : entries_.back().uid; }
  // The sequence number of a UID still in the view.
  std::optional<uint32_t> seq_of(uint32_t uid) const;
  // The first sequence number whose UID is >= uid (exists()+1 if none).
  uint32_t lower_bound(uint32_t uid) const;
  // After a FETCH that reported this message's flags.
  void note_reported(uint32_t seq, const mail::MessageRecord& record);

 private:
  struct Entry {
    uint32_t uid = 0;
    uint8_t flags = 0;
    bool gone = false;
    uint32_t keyword_bits = 0;
    uint64_t modseq = 0;
  };
  static Entry entry_of(const mail::MessageRecord& r);
  static bool same_flags(const Entry& e, const mail::MessageRecord& r, bool with_modseq);

  std::vector<Entry> entries_;
  size_t ghosts_ = 0;
};

}  // namespace gm::maa
