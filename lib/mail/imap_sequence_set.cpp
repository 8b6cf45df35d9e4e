#include "mail/imap_sequence_set.hpp"

#include <algorithm>
#include <charconv>

namespace gm::mail {
namespace {

// nz-number = digit-nz *DIGIT, fitting 32 bits (RFC 9051 9); '*' as kImapSeqStar.
bool parse_seq_number(std::string_view s, uint32_t& out) {
  if (s == "*") {
    out = kImapSeqStar;
    return true;
  }
  if (s.empty() || s[0] == '0') return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

// Sorts and merges ranges whose ends are already resolved (first <= last).
std::vector<SeqRange> normalize(std::vector<SeqRange> ranges) {
  std::sort(ranges.begin(), ranges.end(),
            [](const SeqRange& a, const SeqRange& b) { return a.first < b.first; });
  std::vector<SeqRange> out;
  for (const auto& r : ranges) {
    if (!out.empty() && uint64_t(r.first) <= uint64_t(out.back().last) + 1) {
      out.back().last = std::max(out.back().last, r.last);
    } else {
      out.push_back(r);
    }
  }
  return out;
}

SeqRange ordered(uint32_t a, uint32_t b) {
  return a <= b ? SeqRange{a, b} : SeqRange{b, a};
}

}  // namespace

Result<SequenceSet> SequenceSet::parse(std::string_view text) {
  SequenceSet set;
  if (text == "$") {
    set.saved_ = true;
    return set;
  }
  if (text.empty()) return make_error("Empty sequence set");
  while (true) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    size_t colon = item.find(':');
    SeqRange range;
    bool ok = parse_seq_number(item.substr(0, colon), range.first);
    if (colon == std::string_view::npos) {
      range.last = range.first;
    } else {
      ok = ok && parse_seq_number(item.substr(colon + 1), range.last);
    }
    if (!ok) return make_error("Invalid sequence set");
    if (set.ranges_.size() >= kImapMaxSequenceRanges) return make_error("Sequence set too long");
    set.ranges_.push_back(range);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return set;
}

SequenceSet SequenceSet::from_numbers(std::span<const uint32_t> numbers) {
  std::vector<SeqRange> ranges;
  ranges.reserve(numbers.size());
  for (uint32_t n : numbers) {
    if (n != 0) ranges.push_back({n, n});
  }
  SequenceSet set;
  set.ranges_ = normalize(std::move(ranges));
  return set;
}

Result<std::vector<SeqRange>> SequenceSet::resolve_sequence(uint32_t exists) const {
  std::vector<SeqRange> ranges;
  ranges.reserve(ranges_.size());
  for (const auto& r : ranges_) {
    uint32_t first = r.first == kImapSeqStar ? exists : r.first;
    uint32_t last = r.last == kImapSeqStar ? exists : r.last;
    // RFC 3501 9: "*" in an empty mailbox, or any number above EXISTS, is BAD.
    if (first == 0 || last == 0 || first > exists || last > exists)
      return make_error("Invalid message sequence number");
    ranges.push_back(ordered(first, last));
  }
  return normalize(std::move(ranges));
}

std::vector<SeqRange> SequenceSet::resolve_uids(uint32_t highest_uid) const {
  std::vector<SeqRange> ranges;
  ranges.reserve(ranges_.size());
  for (const auto& r : ranges_) {
    bool star = r.first == kImapSeqStar || r.last == kImapSeqStar;
    if (star && highest_uid == 0) continue;  // '*' of an empty mailbox names nothing
    uint32_t first = r.first == kImapSeqStar ? highest_uid : r.first;
    uint32_t last = r.last == kImapSeqStar ? highest_uid : r.last;
    ranges.push_back(ordered(first, last));
  }
  return normalize(std::move(ranges));
}

std::string SequenceSet::to_string() const {
  if (saved_) return "$";
  std::string out;
  auto number = [&](uint32_t n) {
    if (n == kImapSeqStar) {
      out += '*';
    } else {
      out += std::to_string(n);
    }
  };
  for (const auto& r : ranges_) {
    if (!out.empty()) out += ',';
    number(r.first);
    if (r.last != r.first) {
      out += ':';
      number(r.last);
    }
  }
  return out;
}

bool ranges_contain(std::span<const SeqRange> ranges, uint32_t n) {
  auto it = std::upper_bound(ranges.begin(), ranges.end(), n,
                             [](uint32_t value, const SeqRange& r) { return value < r.first; });
  return it != ranges.begin() && n <= std::prev(it)->last;
}

uint64_t ranges_count(std::span<const SeqRange> ranges) {
  uint64_t total = 0;
  for (const auto& r : ranges) total += uint64_t(r.last) - r.first + 1;
  return total;
}

}  // namespace gm::mail
