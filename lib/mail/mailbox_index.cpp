#include "mail/mailbox_index.hpp"

#include <algorithm>

#include "core/str.hpp"
#include "mail/index_line_reader.hpp"
#include "mail/mailbox_filename.hpp"

namespace gm::mail {
namespace {

constexpr std::string_view kMagic = "GMINDEX 2 ";

using LineReader = IndexLineReader;

Error corrupt(std::string_view why) {
  return make_error(str_cat("gm-index: ", why));
}

Status parse_header(LineReader& in, MailboxIndex& index, uint32_t& count, uint32_t& expunged) {
  if (!in.next_line() || !in.line().starts_with(kMagic)) return corrupt("bad header");
  in.field();
  in.field();
  if (!in.number(index.generation) || !in.number(index.uid_validity) ||
      !in.number(index.uid_next) || !in.number(index.highest_modseq) ||
      !in.number(index.vanished_complete_above) || !in.number(index.new_mtime_ns) ||
      !in.number(index.cur_mtime_ns) || !in.number(index.uids_size) || !in.number(count) ||
      !in.number(expunged) || !in.line_done())
    return corrupt("bad header fields");
  if (index.uid_validity == 0 || index.uid_next == 0 || count > kMaxIndexMessages ||
      expunged > kMaxExpungedKept || count >= index.uid_next)
    return corrupt("header out of range");
  return {};
}

Status parse_message(LineReader& in, const MailboxIndex& index, MessageRecord& m) {
  if (!in.next_line() || !in.number(m.uid) || !in.number(m.modseq) || !in.number(m.internal_date) ||
      !in.number(m.size))
    return corrupt("bad message line");
  std::string_view filename = in.field();
  if (!in.line_done() || !is_message_filename(filename)) return corrupt("bad file name");
  if (m.uid == 0 || m.uid >= index.uid_next || m.modseq > index.highest_modseq)
    return corrupt("message out of range");
  MaildirName name = parse_maildir_name(filename);
  m.flags = name.flags;
  m.keyword_bits = name.keyword_bits;
  m.filename = filename;
  return {};
}

}  // namespace

Result<MailboxIndex> parse_mailbox_index(std::string_view text) {
  if (text.size() > kMaxIndexFile) return corrupt("too large");
  LineReader in(text);
  MailboxIndex index;
  uint32_t count = 0, expunged = 0;
  if (auto status = parse_header(in, index, count, expunged); !status) return status.error();
  index.messages.resize(count);
  for (uint32_t i = 0; i < count; ++i) {
    if (auto status = parse_message(in, index, index.messages[i]); !status) return status.error();
    if (i > 0 && index.messages[i].uid <= index.messages[i - 1].uid)
      return corrupt("UIDs not ascending");
  }
  for (uint32_t i = 0; i < expunged; ++i) {
    ExpungedRecord x{};
    if (!in.next_line() || in.field() != "X" || !in.number(x.uid) || !in.number(x.modseq) ||
        !in.line_done() || x.uid == 0 || x.uid >= index.uid_next ||
        x.modseq > index.highest_modseq ||
        (!index.expunged.empty() && x.modseq < index.expunged.back().modseq))
      return corrupt("bad expunged line");
    index.expunged.push_back(x);
  }
  if (!in.next_line() || in.line() != "END" || !in.at_end()) return corrupt("missing END");
  return index;
}

std::string format_mailbox_index(const MailboxIndex& index) {
  std::string out;
  out.reserve(64 + index.messages.size() * 96 + index.expunged.size() * 24);
  out += str_cat(kMagic, index.generation, ' ', index.uid_validity, ' ', index.uid_next, ' ',
                 index.highest_modseq, ' ', index.vanished_complete_above, ' ', index.new_mtime_ns,
                 ' ', index.cur_mtime_ns, ' ', index.uids_size, ' ', index.messages.size(), ' ',
                 index.expunged.size(), '\n');
  for (const MessageRecord& m : index.messages) {
    detail::append(out, m.uid);
    out += ' ';
    detail::append(out, m.modseq);
    out += ' ';
    detail::append(out, m.internal_date);
    out += ' ';
    detail::append(out, m.size);
    out += ' ';
    out += m.filename;
    out += '\n';
  }
  for (const ExpungedRecord& x : index.expunged) out += str_cat("X ", x.uid, ' ', x.modseq, '\n');
  out += "END\n";
  return out;
}

void trim_expunged(MailboxIndex& index) {
  if (index.expunged.size() <= kMaxExpungedKept) return;
  size_t drop = index.expunged.size() - kMaxExpungedKept;
  index.vanished_complete_above =
      std::max(index.vanished_complete_above, index.expunged[drop - 1].modseq);
  index.expunged.erase(index.expunged.begin(), index.expunged.begin() + drop);
}

}  // namespace gm::mail
