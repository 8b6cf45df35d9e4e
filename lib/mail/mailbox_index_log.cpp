#include "mail/mailbox_index_log.hpp"

#include <algorithm>
#include <charconv>
#include <vector>

#include "core/str.hpp"
#include "mail/crc32c.hpp"
#include "mail/index_line_reader.hpp"
#include "mail/mailbox_filename.hpp"

namespace gm::mail {
namespace {

constexpr std::string_view kLogName = "GMLOG";
constexpr std::string_view kLogVersion = "1";
constexpr size_t kCrcDigits = 8;

// Appends "<crc> <body>\n" for the body already at out[body_start...].
void seal_line(std::string& out, size_t body_start) {
  uint32_t crc = crc32c(std::string_view(out).substr(body_start));
  char digits[kCrcDigits + 1];
  for (size_t i = 0; i < kCrcDigits; ++i)
    digits[i] = "0123456789abcdef"[(crc >> (28 - 4 * i)) & 15];
  digits[kCrcDigits] = ' ';
  out.insert(body_start, digits, kCrcDigits + 1);
  out += '\n';
}

// The body of an intact line ("<crc> <body>"), or nullopt.
std::optional<std::string_view> checked_body(std::string_view line) {
  if (line.size() <= kCrcDigits + 1 || line[kCrcDigits] != ' ') return std::nullopt;
  uint32_t crc = 0;
  auto [end, ec] = std::from_chars(line.data(), line.data() + kCrcDigits, crc, 16);
  if (ec != std::errc() || end != line.data() + kCrcDigits) return std::nullopt;
  std::string_view body = line.substr(kCrcDigits + 1);
  if (crc32c(body) != crc) return std::nullopt;
  return body;
}

Error corrupt(std::string_view why) {
  return make_error(str_cat("gm-index.log: ", why));
}

struct Commit {
  uint32_t uid_next = 0;
  uint64_t highest_modseq = 0, vanished_complete_above = 0;
  int64_t new_mtime_ns = 0, cur_mtime_ns = 0, uids_size = 0;
};

struct Record {
  char kind = 0;  // N F X
  uint32_t uid = 0;
  uint64_t modseq = 0;
  int64_t internal_date = 0;
  uint64_t size = 0;
  std::string_view filename;
};

// One line's fields; false when they do not parse (a damaged record).
bool parse_record(IndexLineReader& in, Record& r) {
  std::string_view kind = in.field();
  if (kind.size() != 1 || !in.number(r.uid) || !in.number(r.modseq)) return false;
  r.kind = kind[0];
  if (r.kind == 'N' && (!in.number(r.internal_date) || !in.number(r.size))) return false;
  if (r.kind == 'N' || r.kind == 'F') {
    r.filename = in.field();
    if (!is_message_filename(r.filename)) return false;
  } else if (r.kind != 'X') {
    return false;
  }
  return in.line_done() && r.uid != 0;
}

bool parse_commit(IndexLineReader& in, Commit& c) {
  return in.number(c.uid_next) && in.number(c.highest_modseq) &&
         in.number(c.vanished_complete_above) && in.number(c.new_mtime_ns) &&
         in.number(c.cur_mtime_ns) && in.number(c.uids_size) && in.line_done();
}

// Applies one batch to `index`, messages kept in ascending UID order.
class BatchApplier {
 public:
  explicit BatchApplier(MailboxIndex& index) : index_(index) {}

  Status apply(const std::vector<Record>& batch, const Commit& c) {
    if (c.uid_next < index_.uid_next || c.uid_next == 0 ||
        c.highest_modseq < index_.highest_modseq ||
        c.vanished_complete_above < index_.vanished_complete_above)
      return corrupt("commit goes back");
    for (const Record& r : batch) {
      if (r.uid >= c.uid_next || r.modseq > c.highest_modseq) return corrupt("record out of range");
      if (auto status = apply(r); !status) return status;
    }
    if (auto status = sort(); !status) return status;
    if (!gone_.empty()) {
      std::sort(gone_.begin(), gone_.end());
      if (std::adjacent_find(gone_.begin(), gone_.end()) != gone_.end())
        return corrupt("UID expunged twice");
      std::erase_if(index_.messages, [&](const MessageRecord& m) {
        return std::binary_search(gone_.begin(), gone_.end(), m.uid);
      });
    }
    index_.uid_next = c.uid_next;
    index_.highest_modseq = c.highest_modseq;
    index_.vanished_complete_above = c.vanished_complete_above;
    index_.new_mtime_ns = c.new_mtime_ns;
    index_.cur_mtime_ns = c.cur_mtime_ns;
    index_.uids_size = c.uids_size;
    trim_expunged(index_);
    return {};
  }

 private:
  Status apply(const Record& r) {
    if (r.kind == 'N') {
      if (index_.messages.size() >= kMaxIndexMessages) return corrupt("too many messages");
      unsorted_ |= !index_.messages.empty() && r.uid <= index_.messages.back().uid;
      MaildirName name = parse_maildir_name(r.filename);
      index_.messages.push_back(MessageRecord{r.uid, r.modseq, r.size, r.internal_date, name.flags,
                                              name.keyword_bits, std::string(r.filename)});
      return {};
    }
    if (auto status = sort(); !status) return status;
    auto& m = index_.messages;
    auto it = std::lower_bound(m.begin(), m.end(), r.uid,
                               [](const MessageRecord& x, uint32_t uid) { return x.uid < uid; });
    if (it == m.end() || it->uid != r.uid) return corrupt("unknown UID");
    if (r.kind == 'F') {
      MaildirName name = parse_maildir_name(r.filename);
      it->flags = name.flags;
      it->keyword_bits = name.keyword_bits;
      it->filename = r.filename;
      it->modseq = r.modseq;
      return {};
    }
    if (!index_.expunged.empty() && r.modseq < index_.expunged.back().modseq)
      return corrupt("expunge MODSEQ goes back");
    index_.expunged.push_back({r.uid, r.modseq});
    gone_.push_back(r.uid);
    return {};
  }

  // New messages usually come last; a rebuild may hand out older UIDs.
  Status sort() {
    if (!unsorted_) return {};
    unsorted_ = false;
    auto& m = index_.messages;
    std::sort(m.begin(), m.end(), [](const auto& a, const auto& b) { return a.uid < b.uid; });
    auto same = [](const auto& a, const auto& b) { return a.uid == b.uid; };
    if (std::adjacent_find(m.begin(), m.end(), same) != m.end()) return corrupt("UID added twice");
    return {};
  }

  MailboxIndex& index_;
  std::vector<uint32_t> gone_;
  bool unsorted_ = false;
};

}  // namespace

void IndexLogBatch::add_message(const MessageRecord& m) {
  size_t start = text_.size();
  text_ += str_cat("N ", m.uid, ' ', m.modseq, ' ', m.internal_date, ' ', m.size, ' ', m.filename);
  seal_line(text_, start);
}

void IndexLogBatch::change_message(const MessageRecord& m) {
  size_t start = text_.size();
  text_ += str_cat("F ", m.uid, ' ', m.modseq, ' ', m.filename);
  seal_line(text_, start);
}

void IndexLogBatch::expunge(const ExpungedRecord& x) {
  size_t start = text_.size();
  text_ += str_cat("X ", x.uid, ' ', x.modseq);
  seal_line(text_, start);
}

std::string IndexLogBatch::commit(const MailboxIndex& index) const {
  std::string out = text_;
  size_t start = out.size();
  out +=
      str_cat("S ", index.uid_next, ' ', index.highest_modseq, ' ', index.vanished_complete_above,
              ' ', index.new_mtime_ns, ' ', index.cur_mtime_ns, ' ', index.uids_size);
  seal_line(out, start);
  return out;
}

std::string format_index_log_header(uint64_t generation) {
  std::string out = str_cat(kLogName, ' ', kLogVersion, ' ', generation);
  seal_line(out, 0);
  return out;
}

std::optional<IndexLogHeader> parse_index_log_header(std::string_view text) {
  IndexLineReader in(text);
  if (!in.next_line()) return std::nullopt;
  auto body = checked_body(in.line());
  if (!body) return std::nullopt;
  auto fields = IndexLineReader::of_line(*body);
  IndexLogHeader header;
  if (fields.field() != kLogName || fields.field() != kLogVersion ||
      !fields.number(header.generation) || !fields.line_done())
    return std::nullopt;
  header.length = text.size() - in.rest().size();
  return header;
}

Result<size_t> apply_index_log(std::string_view records, MailboxIndex& index) {
  if (records.size() > kMaxIndexFile) return corrupt("too large");
  IndexLineReader lines(records);
  std::vector<Record> batch;
  size_t consumed = 0;
  while (lines.next_line()) {
    auto body = checked_body(lines.line());
    if (!body) break;  // torn or damaged: the log ends here
    auto in = IndexLineReader::of_line(*body);
    if (body->starts_with("S ")) {
      in.field();
      Commit commit;
      if (!parse_commit(in, commit)) return corrupt("bad commit record");
      if (auto status = BatchApplier(index).apply(batch, commit); !status) return status.error();
      batch.clear();
      consumed = records.size() - lines.rest().size();
      continue;
    }
    Record r;
    if (!parse_record(in, r)) return corrupt("bad record");
    batch.push_back(r);
  }
  return consumed;
}

}  // namespace gm::mail
