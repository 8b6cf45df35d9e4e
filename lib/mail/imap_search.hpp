// IMAP SEARCH criteria (RFC 9051 6.4.4, RFC 3501 6.4.4) as a tree, parsed
// from the arguments ImapCommandReader produced: every search key, sequence
// sets, parenthesised groups, OR/NOT, CHARSET, MODSEQ (RFC 7162 3.1.5) and
// the ESEARCH RETURN options (RFC 4731, SAVE from RFC 5182). Evaluation is
// the IMAP engine's; this only says what was asked.
//
// Nesting - groups, NOT and OR together - is at most kImapMaxSearchDepth
// deep; beyond it the command is BAD. The parser recurses at most that deep.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "mail/imap_datetime.hpp"
#include "mail/imap_parser.hpp"
#include "mail/imap_sequence_set.hpp"

namespace gm::mail {

// Error::code of a search that names a charset iconv does not know: the answer is
// "NO [BADCHARSET (US-ASCII UTF-8)]" (RFC 9051 6.4.4), any other error is BAD.
inline constexpr int kImapSearchBadCharset = 1;

enum class SearchKey : uint8_t {
  // Flags; no argument.
  kAll,
  kAnswered,
  kDeleted,
  kDraft,
  kFlagged,
  kNew,  // RECENT and not SEEN
  kOld,  // not RECENT
  kRecent,
  kSeen,
  kUnanswered,
  kUndeleted,
  kUndraft,
  kUnflagged,
  kUnseen,
  // text: a keyword (flag atom).
  kKeyword,
  kUnkeyword,
  // text: a string searched for (case-insensitive substring).
  kBcc,
  kBody,
  kCc,
  kFrom,
  kSubject,
  kText,
  kTo,
  kHeader,  // header_field and text
  // date: internal date or the Date: header ("SENT"), day granularity.
  kBefore,
  kOn,
  kSince,
  kSentBefore,
  kSentOn,
  kSentSince,
  // number: size in octets.
  kLarger,
  kSmaller,
  // set: message sequence numbers or UIDs (either may be "$").
  kSequenceSet,
  kUid,
  // number: mod-sequence; modseq_entry/modseq_type when given.
  kModSeq,
  // children.
  kNot,  // one child
  kOr,   // two children
  kAnd,  // a parenthesised group (or the whole program): all children
};

struct SearchNode {
  SearchKey key = SearchKey::kAll;
  std::string text;          // string or keyword
  std::string header_field;  // HEADER field-name
  ImapDate date;
  uint64_t number = 0;
  SequenceSet set;
  std::string modseq_entry;  // "/flags/\\Seen" (already unquoted)
  std::string modseq_type;   // "priv" | "shared" | "all" (lower case)
  std::vector<SearchNode> children;
};

// ESEARCH return options (RFC 4731 3.1); RETURN () means ALL.
enum SearchReturn : uint8_t {
  kReturnMin = 1,
  kReturnMax = 2,
  kReturnAll = 4,
  kReturnCount = 8,
  kReturnSave = 16,
};

struct SearchProgram {
  bool esearch = false;      // RETURN was given: answer with ESEARCH
  uint8_t returns = 0;       // SearchReturn bits
  std::string charset;       // upper case; empty when not given
  SearchNode root;           // kAnd of the top-level keys
  bool uses_modseq = false;  // a MODSEQ key: CONDSTORE is on, answer (MODSEQ n)
};

// args: what follows "SEARCH" (or "UID SEARCH"). Charsets: US-ASCII, UTF-8
// and every other charset iconv converts; the strings of the criteria come
// back converted to UTF-8.
Result<SearchProgram> parse_search(std::span<const ImapArg> args);

}  // namespace gm::mail
