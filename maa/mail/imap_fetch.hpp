// What a FETCH asks for (RFC 9051 6.4.5, RFC 3516 BINARY, RFC 7162
// CHANGEDSINCE/VANISHED/MODSEQ): the data items with their sections,
// macros expanded, read from the command's arguments. Section texts are
// H1's parse_section; a whole item such as "BODY.PEEK[1.MIME]<0.100>"
// arrives from the reader as one atom.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "mail/imap_parser.hpp"
#include "mail/imap_section.hpp"

namespace gm::maa {

struct FetchItem {
  enum class Kind : uint8_t {
    kUid,
    kFlags,
    kInternalDate,
    kSize,
    kEnvelope,
    kBody,           // BODY without a section: the non-extended structure
    kBodyStructure,
    kSection,        // BODY[...], BODY.PEEK[...], RFC822, RFC822.HEADER, RFC822.TEXT
    kBinary,         // BINARY[...], BINARY.PEEK[...]
    kBinarySize,
    kModSeq,
  };
  Kind kind = Kind::kFlags;
  bool peek = false;          // does not set \Seen
  mail::SectionSpec section;  // kSection, kBinary, kBinarySize
  std::string label;          // RFC822 forms answer under their own name
};

struct FetchPlan {
  std::vector<FetchItem> items;
  std::optional<uint64_t> changed_since;  // CHANGEDSINCE (RFC 7162 3.1.4.1)
  bool vanished = false;                  // VANISHED (RFC 7162 3.2.6)

  bool has(FetchItem::Kind kind) const;
  bool needs_content() const;  // the message file must be read
  bool sets_seen() const;      // a non-PEEK body item
};

// args: the FETCH arguments after the sequence set (items, then modifiers).
Result<FetchPlan> parse_fetch_plan(std::span<const mail::ImapArg> args);

}  // namespace gm::maa
