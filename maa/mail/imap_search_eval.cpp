#include "imap_search_eval.hpp"

#include <algorithm>
#include <cstdint>

#include "core/str.hpp"
#include "mail/mime_search.hpp"

namespace gm::maa {

namespace {

using Key = mail::SearchKey;

bool has_flag(const mail::MessageRecord& r, uint8_t flag) {
  return (r.flags & flag) != 0;
}

// What a key costs to answer: 0 from the index record, 1 from the header
// (the cache, or the file on a miss), 2 from the body.
int cost(const mail::SearchNode& node) {
  switch (node.key) {
    case Key::kBcc:
    case Key::kCc:
    case Key::kFrom:
    case Key::kSubject:
    case Key::kTo:
    case Key::kHeader:
    case Key::kSentBefore:
    case Key::kSentOn:
    case Key::kSentSince:
      return 1;
    case Key::kBody:
    case Key::kText:
      return 2;
    case Key::kNot:
    case Key::kOr:
    case Key::kAnd: {
      int most = 0;
      for (const auto& child : node.children) most = std::max(most, cost(child));
      return most;
    }
    default:
      return 0;
  }
}

// AND and OR are commutative (RFC 9051 6.4.4 defines no order): the cheap
// operand decides first. Depth is bounded by the parser (kImapMaxSearchDepth).
void order_by_cost(mail::SearchNode& node) {
  for (auto& child : node.children) order_by_cost(child);
  if (node.key == Key::kAnd) {
    std::stable_sort(
        node.children.begin(), node.children.end(),
        [](const mail::SearchNode& a, const mail::SearchNode& b) { return cost(a) < cost(b); });
  } else if (node.key == Key::kOr && cost(node.children.at(1)) < cost(node.children.at(0))) {
    std::swap(node.children[0], node.children[1]);
  }
}

bool is_header_key(Key key) {
  return key == Key::kBcc || key == Key::kCc || key == Key::kFrom || key == Key::kSubject ||
         key == Key::kTo || key == Key::kHeader;
}

std::string_view header_name(const mail::SearchNode& node) {
  switch (node.key) {
    case Key::kBcc:
      return "Bcc";
    case Key::kCc:
      return "Cc";
    case Key::kFrom:
      return "From";
    case Key::kTo:
      return "To";
    case Key::kSubject:
      return "Subject";
    default:
      return node.header_field;
  }
}

}  // namespace

Status SearchEvaluator::prepare(mail::SearchNode& root) {
  order_by_cost(root);
  return prepare_node(root);
}

Status SearchEvaluator::prepare_node(const mail::SearchNode& node) {
  if (node.key == Key::kSequenceSet || node.key == Key::kUid) {
    if (node.set.is_saved()) {  // RFC 5182 2.1: "$" names the same messages as UIDs or numbers
      std::vector<uint32_t> numbers;
      for (uint32_t uid : saved_uids_) {
        if (node.key == Key::kUid) numbers.push_back(uid);
        if (auto seq = view_.seq_of(uid); seq && node.key == Key::kSequenceSet)
          numbers.push_back(*seq);
      }
      std::sort(numbers.begin(), numbers.end());
      mail::SequenceSet set = mail::SequenceSet::from_numbers(numbers);
      sets_[&node].assign(set.ranges().begin(), set.ranges().end());
      return {};
    }
    // A set in SEARCH is a criterion, not a reference to messages: numbers
    // beyond the mailbox (or "*" in an empty one) match nothing. RFC 9051 9
    // asks for BAD only where COPY, FETCH and STORE name messages
    // (docs/design-decisions.md).
    sets_[&node] = node.set.resolve_uids(node.key == Key::kUid ? view_.last_uid() : view_.exists());
  }
  if (is_header_key(node.key)) folded_[&node] = mail::casefold(node.text);
  for (const auto& child : node.children)
    if (Status s = prepare_node(child); !s) return s;
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

bool SearchEvaluator::header_matches(const mail::SearchNode& node, MessageContent& message) {
  if (const mail::CachedHeader* header = message.cached_header())
    return header->contains(header_name(node), folded_[&node]);
  return text_matches(node, message);  // not cacheable: read the file
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
    case Key::kCc:
    case Key::kFrom:
    case Key::kSubject:
    case Key::kTo:
    case Key::kHeader:
      return header_matches(node, message);
    case Key::kBody:
    case Key::kText:
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

bool SearchEvaluator::run_slice(const mail::SearchNode& root, size_t max_reads) {
  size_t reads = 0, seen = 0;
  for (; next_seq_ <= view_.exists(); ++next_seq_) {
    if ((reads > 0 && reads >= max_reads) || seen >= kSearchSliceMessages) return false;
    ++seen;
    uint32_t seq = next_seq_;
    const mail::MessageRecord* record = folder_.find(view_.uid_at(seq));
    if (record == nullptr) continue;  // expunged, not yet announced
    MessageContent message(folder_, *record, headers_);
    bool hit = matches(root, seq, message);
    if (message.read_file()) ++reads;
    if (!hit) continue;
    hits_.push_back(seq);
    max_modseq_ = std::max(max_modseq_, record->modseq);
  }
  return true;
}

std::vector<uint32_t> SearchEvaluator::run(const mail::SearchNode& root, uint64_t* max_modseq) {
  while (!run_slice(root, SIZE_MAX)) {
  }
  if (max_modseq != nullptr) *max_modseq = max_modseq_;
  return take_hits();
}

}  // namespace gm::maa
