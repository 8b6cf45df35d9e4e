// The gm-index file of a folder: a cache of the folder's state, rebuilt
// from the Maildir (and gm-uids) whenever it is missing or fails to parse.
// Text, one record per line, so a person can read it:
//   GMINDEX 2 <generation> <uidvalidity> <uidnext> <highestmodseq>
//             <vanished_complete_above> <new_mtime_ns> <cur_mtime_ns> <uids_size>
//             <messages> <expunged>
//   <uid> <modseq> <internal_date> <size> <filename>     (ascending uid)
//   X <uid> <modseq>                                      (ascending modseq)
//   END
// generation: new at every rewrite; gm-index.log (mailbox_index_log.hpp)
// names the generation it continues, so a log left from before a rewrite is
// never applied to the newer file. Writers append small changes to that log
// and rewrite gm-index only to compact it.
// vanished_complete_above: the expunged list covers every expunge with a
// MODSEQ above it. *_mtime_ns: the directory mtimes the messages describe
// (0: not trusted, rescan on the next sync). uids_size: the size of gm-uids
// when the index was written (larger: a writer crashed between the two).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "mail/mailbox_folder.hpp"

namespace gm::mail {

inline constexpr uint32_t kMaxIndexMessages = 10'000'000;

struct MailboxIndex {
  uint64_t generation = 0;
  uint32_t uid_validity = 0;
  uint32_t uid_next = 1;
  uint64_t highest_modseq = 0;
  uint64_t vanished_complete_above = 0;
  int64_t new_mtime_ns = 0;
  int64_t cur_mtime_ns = 0;
  int64_t uids_size = 0;
  std::vector<MessageRecord> messages;  // flags and keyword_bits parsed from the file name
  std::vector<ExpungedRecord> expunged;
};

// Checks everything (counts, ascending UIDs below uidnext, modseqs not above
// HIGHESTMODSEQ, sane file names, the END line): an error means "rebuild".
Result<MailboxIndex> parse_mailbox_index(std::string_view text);
std::string format_mailbox_index(const MailboxIndex& index);

// Drops the oldest expunged records beyond kMaxExpungedKept, raising
// vanished_complete_above to match.
void trim_expunged(MailboxIndex& index);

}  // namespace gm::mail
