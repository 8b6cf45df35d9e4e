#include "imap_fetch.hpp"

#include <algorithm>

#include "core/str.hpp"
#include "imap_session.hpp"

namespace gm::maa {

namespace {

using Kind = FetchItem::Kind;

FetchItem simple(Kind kind) { return FetchItem{kind, false, {}, {}}; }

// "BODY[...]<...>" / "BINARY.PEEK[...]" split into name, section and partial.
Result<FetchItem> read_sectioned(std::string_view atom) {
  size_t open = atom.find('[');
  size_t close = atom.rfind(']');
  if (close == std::string_view::npos || close < open) return make_error("Unterminated section");
  std::string name = upper_ascii(atom.substr(0, open));
  FetchItem item;
  bool binary = false;
  if (name == "BODY") {
    item.kind = Kind::kSection;
  } else if (name == "BODY.PEEK") {
    item.kind = Kind::kSection;
    item.peek = true;
  } else if (name == "BINARY" || name == "BINARY.PEEK") {
    item.kind = Kind::kBinary;
    item.peek = name == "BINARY.PEEK";
    binary = true;
  } else if (name == "BINARY.SIZE") {
    item.kind = Kind::kBinarySize;
    item.peek = true;
    binary = true;
  } else {
    return make_error("Unknown FETCH item " + name);
  }
  auto section = mail::parse_section(atom.substr(open + 1, close - open - 1), binary);
  if (!section) return make_error("Invalid section: " + section.error().message);
  item.section = std::move(*section);
  std::string_view rest = atom.substr(close + 1);
  if (!rest.empty()) {
    if (item.kind == Kind::kBinarySize) return make_error("BINARY.SIZE takes no partial");
    if (Status s = mail::parse_partial(rest, item.section); !s)
      return make_error("Invalid partial: " + s.error().message);
  }
  return item;
}

Result<FetchItem> read_item(const mail::ImapArg& arg) {
  if (!arg.is_atom()) return make_error("FETCH item expected");
  const std::string& t = arg.text;
  if (t.find('[') != std::string::npos) return read_sectioned(t);
  struct Name {
    std::string_view name;
    Kind kind;
  };
  static constexpr Name kNames[] = {
      {"UID", Kind::kUid},         {"FLAGS", Kind::kFlags},         {"INTERNALDATE", Kind::kInternalDate},
      {"RFC822.SIZE", Kind::kSize}, {"ENVELOPE", Kind::kEnvelope},   {"BODY", Kind::kBody},
      {"BODYSTRUCTURE", Kind::kBodyStructure},                       {"MODSEQ", Kind::kModSeq}};
  for (const auto& n : kNames)
    if (arg.atom_is(n.name)) return simple(n.kind);
  // RFC 3501 6.4.5: the RFC822 forms, answered under their own names.
  FetchItem item{Kind::kSection, false, {}, {}};
  if (arg.atom_is("RFC822")) {
    item.label = "RFC822";
  } else if (arg.atom_is("RFC822.HEADER")) {
    item.label = "RFC822.HEADER";
    item.peek = true;
    item.section.text = mail::SectionSpec::Text::kHeader;
  } else if (arg.atom_is("RFC822.TEXT")) {
    item.label = "RFC822.TEXT";
    item.section.text = mail::SectionSpec::Text::kText;
  } else {
    return make_error("Unknown FETCH item " + t);
  }
  return item;
}

// RFC 9051 6.4.5 macros.
bool expand_macro(const mail::ImapArg& arg, std::vector<FetchItem>& items) {
  std::vector<Kind> kinds;
  if (arg.atom_is("ALL")) kinds = {Kind::kFlags, Kind::kInternalDate, Kind::kSize, Kind::kEnvelope};
  else if (arg.atom_is("FAST")) kinds = {Kind::kFlags, Kind::kInternalDate, Kind::kSize};
  else if (arg.atom_is("FULL"))
    kinds = {Kind::kFlags, Kind::kInternalDate, Kind::kSize, Kind::kEnvelope, Kind::kBody};
  else return false;
  for (Kind k : kinds) items.push_back(simple(k));
  return true;
}

Status read_modifiers(const mail::ImapArg& arg, FetchPlan& plan) {
  if (!arg.is_list()) return make_error("FETCH modifiers must be a list");
  const auto& m = arg.list;
  for (size_t i = 0; i < m.size(); ++i) {
    if (m[i].atom_is("CHANGEDSINCE") && i + 1 < m.size() && m[i + 1].is_atom()) {
      auto n = parse_number<uint64_t>(m[++i].text);
      if (!n) return make_error("Invalid CHANGEDSINCE");
      plan.changed_since = *n;
    } else if (m[i].atom_is("VANISHED")) {
      plan.vanished = true;
    } else {
      return make_error("Unknown FETCH modifier");
    }
  }
  if (plan.vanished && !plan.changed_since) return make_error("VANISHED needs CHANGEDSINCE");
  return {};
}

}  // namespace

bool FetchPlan::has(Kind kind) const {
  return std::any_of(items.begin(), items.end(), [&](const FetchItem& i) { return i.kind == kind; });
}

bool FetchPlan::needs_content() const {
  return std::any_of(items.begin(), items.end(), [](const FetchItem& i) {
    return i.kind == Kind::kEnvelope || i.kind == Kind::kBody || i.kind == Kind::kBodyStructure ||
           i.kind == Kind::kSection || i.kind == Kind::kBinary || i.kind == Kind::kBinarySize;
  });
}

bool FetchPlan::sets_seen() const {
  return std::any_of(items.begin(), items.end(), [](const FetchItem& i) {
    return (i.kind == Kind::kSection || i.kind == Kind::kBinary) && !i.peek;
  });
}

Result<FetchPlan> parse_fetch_plan(std::span<const mail::ImapArg> args) {
  FetchPlan plan;
  if (args.empty()) return make_error("FETCH items expected");
  const mail::ImapArg& what = args[0];
  if (args.size() > 1)
    if (Status s = read_modifiers(args[1], plan); !s) return s.error();
  if (what.is_atom() && expand_macro(what, plan.items)) return plan;
  std::span<const mail::ImapArg> list = what.is_list() ? std::span(what.list) : args.first(1);
  if (list.empty() || list.size() > kImapMaxFetchItems) return make_error("Bad FETCH item list");
  for (const auto& a : list) {
    auto item = read_item(a);
    if (!item) return item.error();
    plan.items.push_back(std::move(*item));
  }
  return plan;
}

}  // namespace gm::maa
