// IMAP sequence sets (RFC 9051 9 "sequence-set", RFC 5182 "$"): message
// sequence numbers or UIDs as ranges, never expanded into a list, so
// "1:4294967295" costs one range. '*' stands for the largest number in use
// and is resolved only against a mailbox (resolve_sequence / resolve_uids).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace gm::mail {

// Ranges in one set; the command line (kImapMaxLine) bounds it anyway, this
// keeps a set built from numbers bounded too.
inline constexpr size_t kImapMaxSequenceRanges = 16 * 1024;
// '*' inside a parsed range.
inline constexpr uint32_t kImapSeqStar = 0;

struct SeqRange {
  uint32_t first = 0;  // as written: may be kImapSeqStar, may exceed last
  uint32_t last = 0;
  bool operator==(const SeqRange&) const = default;
};

class SequenceSet {
 public:
  SequenceSet() = default;

  // "1", "2:4", "*", "5:*", "4:2" (same as 2:4), "1,3:5,*", "$".
  // nz-number strictly: no 0, no leading zero, at most 4294967295.
  static Result<SequenceSet> parse(std::string_view text);
  // Compresses numbers (any order, duplicates allowed) into ranges.
  static SequenceSet from_numbers(std::span<const uint32_t> numbers);

  bool is_saved() const { return saved_; }  // "$": the session's saved result
  bool empty() const { return ranges_.empty() && !saved_; }
  std::span<const SeqRange> ranges() const { return ranges_; }

  // Sequence numbers: '*' is `exists`. RFC 3501 9: a number
  // above `exists` (or '*' in an empty mailbox) is an error for the
  // caller to answer BAD. Returns sorted, merged, 1-based ranges.
  Result<std::vector<SeqRange>> resolve_sequence(uint32_t exists) const;
  // UIDs: '*' is the highest UID in use (0 when empty); numbers that name no
  // message are not an error, they match nothing (RFC 9051 6.4.9).
  std::vector<SeqRange> resolve_uids(uint32_t highest_uid) const;

  // Canonical text "1:3,7" of the set (for ESEARCH ALL, COPYUID).
  std::string to_string() const;

 private:
  std::vector<SeqRange> ranges_;
  bool saved_ = false;
};

// For resolved (sorted, merged) ranges.
bool ranges_contain(std::span<const SeqRange> ranges, uint32_t n);
uint64_t ranges_count(std::span<const SeqRange> ranges);

}  // namespace gm::mail
