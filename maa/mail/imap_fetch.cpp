#include "imap_fetch.hpp"

#include <algorithm>

namespace gm::maa {

namespace {

using Att = mail::FetchAtt;

// RFC822.HEADER and RFC822.TEXT are BODY[HEADER] and BODY[TEXT].
mail::SectionSpec section_of(const mail::FetchItem& item) {
  mail::SectionSpec spec = item.section;
  if (item.att == Att::kRfc822Header) spec.text = mail::SectionSpec::Text::kHeader;
  if (item.att == Att::kRfc822Text) spec.text = mail::SectionSpec::Text::kText;
  return spec;
}

bool reads_content(Att att) {
  return att != Att::kFlags && att != Att::kInternalDate && att != Att::kRfc822Size &&
         att != Att::kUid && att != Att::kModSeq;
}

}  // namespace

bool FetchPlan::has(mail::FetchAtt att) const {
  return std::any_of(request.items.begin(), request.items.end(),
                     [&](const mail::FetchItem& i) { return i.att == att; });
}

Result<FetchPlan> make_fetch_plan(std::span<const mail::ImapArg> args, bool uid_command) {
  auto request = mail::parse_fetch_items(args, uid_command);
  if (!request) return request.error();
  FetchPlan plan;
  plan.request = std::move(*request);
  for (const auto& item : plan.request.items) {
    plan.sections.push_back(section_of(item));
    plan.needs_content |= reads_content(item.att);
    plan.sets_seen |= item.sets_seen();
  }
  return plan;
}

}  // namespace gm::maa
