// A FETCH as the engine runs it: the parsed items (imap_fetch_items.hpp)
// with each section turned into a SectionSpec once, and what the whole
// request needs (the message file, \Seen).
#pragma once

#include <span>
#include <vector>

#include "core/result.hpp"
#include "mail/imap_fetch_items.hpp"
#include "mail/imap_section.hpp"

namespace gm::maa {

struct FetchPlan {
  mail::FetchRequest request;
  std::vector<mail::SectionSpec> sections;  // one per item (empty for items without one)
  bool needs_content = false;               // the message file must be read
  bool sets_seen = false;                   // a non-PEEK body item

  bool has(mail::FetchAtt att) const;
};

Result<FetchPlan> make_fetch_plan(std::span<const mail::ImapArg> args, bool uid_command);

}  // namespace gm::maa
