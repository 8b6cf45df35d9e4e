// FETCH data items (RFC 9051 6.4.5, RFC 3501 6.4.5; BINARY from RFC 3516,
// MODSEQ and the CHANGEDSINCE/VANISHED modifiers from RFC 7162 3.1.4, 3.2.6):
// what the client asked for, parsed from ImapCommandReader's arguments.
// Fetching and formatting the answer is the engine's (with imap_section.*).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "mail/imap_parser.hpp"

namespace gm::mail {

// Part numbers in a section ("1.2.3"); deeper is nonsense from a client.
inline constexpr size_t kImapMaxSectionParts = 64;

enum class FetchAtt : uint8_t {
  kEnvelope,
  kFlags,
  kInternalDate,
  kRfc822,        // = BODY[], sets \Seen
  kRfc822Header,  // = BODY.PEEK[HEADER]
  kRfc822Size,
  kRfc822Text,  // = BODY[TEXT], sets \Seen
  kBody,        // BODY without section: non-extensible BODYSTRUCTURE
  kBodyStructure,
  kUid,
  kBodySection,    // BODY[...] / BODY.PEEK[...]
  kBinarySection,  // BINARY[...] / BINARY.PEEK[...]
  kBinarySize,     // BINARY.SIZE[...]
  kModSeq,
};

enum class SectionText : uint8_t {
  kNone,  // the whole part (or message when no part numbers)
  kHeader,
  kHeaderFields,
  kHeaderFieldsNot,
  kText,
  kMime,  // only after part numbers
};

struct FetchItem {
  FetchAtt att = FetchAtt::kFlags;
  bool peek = false;           // .PEEK: do not set \Seen
  std::vector<uint32_t> part;  // section part numbers, e.g. {1, 2}
  SectionText text = SectionText::kNone;
  std::vector<std::string> fields;         // HEADER.FIELDS[.NOT] names, as sent
  std::optional<uint64_t> partial_origin;  // <origin.length>
  uint64_t partial_length = 0;

  // Sets \Seen when fetched (RFC 9051 6.4.5): BODY[..], BINARY[..], RFC822, RFC822.TEXT.
  bool sets_seen() const;
  // The item's name in the FETCH response: "BODY[1.HEADER.FIELDS (From)]<0>"
  // (RFC 9051 7.5.2: the origin only, no length); "RFC822.SIZE" etc.
  std::string response_name() const;
};

struct FetchRequest {
  std::vector<FetchItem> items;
  std::optional<uint64_t> changed_since;  // CHANGEDSINCE modifier
  bool vanished = false;                  // VANISHED modifier (UID FETCH only)
  bool uses_modseq = false;               // MODSEQ item or CHANGEDSINCE
};

// args: what follows the sequence set: an item or a list of items, and
// optionally a list of modifiers. Macros ALL, FAST, FULL are expanded.
// For UID FETCH the UID item is added when missing (RFC 9051 6.4.9).
Result<FetchRequest> parse_fetch_items(std::span<const ImapArg> args, bool uid_command);

}  // namespace gm::mail
