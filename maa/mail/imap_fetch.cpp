#include "imap_fetch.hpp"

#include <algorithm>

namespace gm::maa {

namespace {

using Att = mail::FetchAtt;

mail::SectionSpec section_of(const mail::FetchItem& item) {
  mail::SectionSpec spec;
  spec.part = item.part;
  switch (item.att) {
    case Att::kRfc822Header:
      spec.text = mail::SectionSpec::Text::kHeader;
      return spec;
    case Att::kRfc822Text:
      spec.text = mail::SectionSpec::Text::kText;
      return spec;
    default:
      break;
  }
  using T = mail::SectionText;
  using S = mail::SectionSpec::Text;
  switch (item.text) {
    case T::kNone:
      spec.text = S::kNone;
      break;
    case T::kHeader:
      spec.text = S::kHeader;
      break;
    case T::kHeaderFields:
      spec.text = S::kHeaderFields;
      break;
    case T::kHeaderFieldsNot:
      spec.text = S::kHeaderFieldsNot;
      break;
    case T::kText:
      spec.text = S::kText;
      break;
    case T::kMime:
      spec.text = S::kMime;
      break;
  }
  spec.fields = item.fields;
  // HEADER.FIELDS names compare case-insensitively; parse_section gives upper case.
  for (auto& f : spec.fields)
    for (char& c : f)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  if (item.partial_origin) {
    spec.partial_offset = item.partial_origin;
    spec.partial_count = item.partial_length;
  }
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
