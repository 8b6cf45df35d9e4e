#include "imap_search_eval.hpp"

#include <algorithm>

#include "core/str.hpp"
#include "mail/mime_search.hpp"

namespace gm::maa {

namespace {

using Key = mail::SearchKey;

bool has_flag(const mail::MessageRecord& r, uint8_t flag) {
  return (r.flags & flag) != 0;
}

}  // namespace

Status SearchEvaluator::prepare(const mail::SearchNode& node) {
  if (node.key == Key::kSequenceSet || node.key == Key::kUid) {
    if (node.set.is_saved()) return make_error("$ (SEARCHRES) is not supported");
    if (node.key == Key::kUid) {
      sets_[&node] = node.set.resolve_uids(view_.last_uid());
    } else {
      auto ranges = node.set.resolve_sequence(view_.exists());
      if (!ranges) return make_error(ranges.error().message);
      sets_[&node] = std::move(*ranges);
    }
  }
  for (const auto& child : node.children)
    if (Status s = prepare(child); !s) return s;
  return {};
}

bool SearchEvaluator::date_matches(const mail::SearchNode& node, int64_t unix_time,
                                   int zone_minutes) const {
  // RFC 9051 6.4.4: dates disregard time and time zone.
  auto day = mail::date_of(unix_time, zone_minutes);
  switch (node.key) {
    case Key::kBefore:
    case Key::kSentBefore:
      return day < node.date;
    case Key::kOn:
    case Key::kSentOn:
      return day == node.date;
    default:
      return day >= node.date;
  }
}

bool SearchEvaluator::text_matches(const mail::SearchNode& node, MessageContent& message) {
  auto structure = message.structure();
  if (!structure) return false;
  const auto& source = message.source();
  Result<bool> found = false;
  switch (node.key) {
    case Key::kBcc:
      found = mail::header_contains(source, **structure, "Bcc", node.text);
      break;
    case Key::kCc:
      found = mail::header_contains(source, **structure, "Cc", node.text);
      break;
    case Key::kFrom:
      found = mail::header_contains(source, **structure, "From", node.text);
      break;
    case Key::kTo:
      found = mail::header_contains(source, **structure, "To", node.text);
      break;
    case Key::kSubject:
      found = mail::header_contains(source, **structure, "Subject", node.text);
      break;
    case Key::kHeader:
      found = mail::header_contains(source, **structure, node.header_field, node.text);
      break;
    case Key::kBody:
      found = mail::text_contains(source, **structure, node.text, false);
      break;
    default:
      found = mail::text_contains(source, **structure, node.text, true);
      break;
  }
  return found && *found;
}

bool SearchEvaluator::matches(const mail::SearchNode& node, uint32_t seq, MessageContent& message) {
  const mail::MessageRecord& r = message.record();
  switch (node.key) {
    case Key::kAll:
    case Key::kOld:  // \Recent is not kept: no message is recent
      return true;
    case Key::kNew:
    case Key::kRecent:
      return false;
    case Key::kAnswered:
      return has_flag(r, mail::kAnswered);
    case Key::kDeleted:
      return has_flag(r, mail::kDeleted);
    case Key::kDraft:
      return has_flag(r, mail::kDraft);
    case Key::kFlagged:
      return has_flag(r, mail::kFlagged);
    case Key::kSeen:
      return has_flag(r, mail::kSeen);
    case Key::kUnanswered:
      return !has_flag(r, mail::kAnswered);
    case Key::kUndeleted:
      return !has_flag(r, mail::kDeleted);
    case Key::kUndraft:
      return !has_flag(r, mail::kDraft);
    case Key::kUnflagged:
      return !has_flag(r, mail::kFlagged);
    case Key::kUnseen:
      return !has_flag(r, mail::kSeen);
    case Key::kKeyword:
    case Key::kUnkeyword: {
      auto names = folder_.keywords_of(r);
      bool has = std::any_of(names.begin(), names.end(),
                             [&](const std::string& k) { return iequals(k, node.text); });
      return node.key == Key::kKeyword ? has : !has;
    }
    case Key::kBcc:
    case Key::kBody:
    case Key::kCc:
    case Key::kFrom:
    case Key::kSubject:
    case Key::kText:
    case Key::kTo:
    case Key::kHeader:
      return text_matches(node, message);
    case Key::kBefore:
    case Key::kOn:
    case Key::kSince:
      return date_matches(node, r.internal_date, 0);
    case Key::kSentBefore:
    case Key::kSentOn:
    case Key::kSentSince: {
      // RFC 9051 6.4.4: the Date: header; without one, the internal date.
      auto value = message.header("Date");
      auto date = value ? parse_header_date(*value) : std::nullopt;
      if (!date) return date_matches(node, r.internal_date, 0);
      return date_matches(node, date->unix_time, date->zone_minutes);
    }
    case Key::kLarger:
      return r.size > node.number;
    case Key::kSmaller:
      return r.size < node.number;
    case Key::kSequenceSet:
      return mail::ranges_contain(sets_[&node], seq);
    case Key::kUid:
      return mail::ranges_contain(sets_[&node], r.uid);
    case Key::kModSeq:
      return r.modseq >= node.number;
    case Key::kNot:
      return !matches(node.children.at(0), seq, message);
    case Key::kOr:
      return matches(node.children.at(0), seq, message) ||
             matches(node.children.at(1), seq, message);
    case Key::kAnd:
      return std::all_of(node.children.begin(), node.children.end(),
                         [&](const mail::SearchNode& c) { return matches(c, seq, message); });
  }
  return false;
}

std::vector<uint32_t> SearchEvaluator::run(const mail::SearchNode& root, uint64_t* max_modseq) {
  std::vector<uint32_t> hits;
  for (uint32_t seq = 1; seq <= view_.exists(); ++seq) {
    const mail::MessageRecord* record = folder_.find(view_.uid_at(seq));
    if (record == nullptr) continue;  // expunged, not yet announced
    MessageContent message(folder_, *record);
    if (!matches(root, seq, message)) continue;
    hits.push_back(seq);
    if (max_modseq != nullptr) *max_modseq = std::max(*max_modseq, record->modseq);
  }
  return hits;
}

}  // namespace gm::maa
