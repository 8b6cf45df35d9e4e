// gm-index.log: the changes made to a folder since its gm-index was written,
// so that a one-message STORE, EXPUNGE or APPEND costs one small append
// instead of a rewrite of the whole index, and other sessions read only the
// new records instead of re-parsing gm-index (Dovecot's dovecot.index.log
// plays the same part). Text, one record per line:
//   <crc> GMLOG 1 <generation>                    the gm-index it continues
//   <crc> N <uid> <modseq> <internal_date> <size> <filename>   new message
//   <crc> F <uid> <modseq> <filename>             flags or keywords changed
//   <crc> X <uid> <modseq>                        expunged
//   <crc> S <uidnext> <highestmodseq> <vanished_complete_above>
//           <new_mtime_ns> <cur_mtime_ns> <uids_size>          commit
// <crc> is the CRC-32C of the rest of the line (after its space) in 8 hex
// digits. A writer (under gm-lock) appends one batch per change: its
// records, then the S record with the folder's state after them. Readers
// apply whole batches only, and stop at the first torn or damaged line (a
// writer crashed mid-append). A log whose generation is not gm-index's is
// from before a rewrite and never applied. The log is a cache like gm-index:
// no fsync; a record that does not fit the index means "rebuild".
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "mail/mailbox_index.hpp"

namespace gm::mail {

// A writer rewrites gm-index (and drops the log) instead of appending once
// the log would pass the larger of these: a floor, so that small folders
// are not rewritten on every change, and a share of gm-index, so that a
// reader opening the folder parses at most 1/kIndexLogCompactShare more.
inline constexpr uint64_t kIndexLogCompactFloor = 64 << 10;
inline constexpr uint64_t kIndexLogCompactShare = 4;

// The records of one change, in the order they were made.
class IndexLogBatch {
 public:
  void add_message(const MessageRecord& m);     // N
  void change_message(const MessageRecord& m);  // F
  void expunge(const ExpungedRecord& x);        // X
  bool empty() const { return text_.empty(); }
  // The records followed by the S record for `index` (the state after them).
  std::string commit(const MailboxIndex& index) const;
  void clear() { text_.clear(); }

 private:
  std::string text_;
};

std::string format_index_log_header(uint64_t generation);

struct IndexLogHeader {
  uint64_t generation = 0;
  size_t length = 0;  // bytes of the header line, '\n' included
};
// nullopt unless `text` starts with a complete, intact header line.
std::optional<IndexLogHeader> parse_index_log_header(std::string_view text);

// Applies each complete batch of `records` (log text after the header or
// after the last batch applied) to `index` and returns the bytes consumed:
// the end of the last S record before the text ends or a line is torn or
// fails its CRC. An error (a record that does not fit the index: unknown or
// duplicate UID, MODSEQ or UIDNEXT going back) leaves `index` partly
// changed: the caller rebuilds.
Result<size_t> apply_index_log(std::string_view records, MailboxIndex& index);

}  // namespace gm::mail
