// Sequence sets against the client's view (RFC 9051 9 "sequence-set"):
// message numbers count the view, ghosts of expunged messages included
// until they are announced; UIDs match what is there.
#include "imap_session.hpp"

#include <algorithm>

namespace gm::maa {

std::string upper_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

Result<std::vector<uint32_t>> ImapSession::resolve_seqs(const mail::ImapArg& arg, bool uid) const {
  if (!arg.is_atom()) return make_error("Sequence set expected");
  auto set = mail::SequenceSet::parse(arg.text);
  if (!set) return make_error(set.error().message);
  const MailboxView& view = selected_->view;
  std::vector<uint32_t> seqs;
  if (set->is_saved()) {  // RFC 5182 2.1: the same messages in either form
    for (uint32_t saved : selected_->saved_uids)
      if (auto seq = view.seq_of(saved)) seqs.push_back(*seq);
    std::sort(seqs.begin(), seqs.end());
    return seqs;
  }
  if (!uid) {
    auto ranges = set->resolve_sequence(view.exists());
    if (!ranges) return make_error(ranges.error().message);
    for (const auto& r : *ranges)
      for (uint64_t n = r.first; n <= r.last; ++n) seqs.push_back(static_cast<uint32_t>(n));
    return seqs;
  }
  for (const auto& r : set->resolve_uids(view.last_uid())) {
    for (uint32_t seq = view.lower_bound(r.first); seq <= view.exists(); ++seq) {
      if (view.uid_at(seq) > r.last) break;
      seqs.push_back(seq);
    }
  }
  return seqs;
}

Result<std::vector<uint32_t>> ImapSession::resolve_set(const mail::ImapArg& arg, bool uid) const {
  auto seqs = resolve_seqs(arg, uid);
  if (!seqs) return seqs.error();
  std::vector<uint32_t> uids;
  uids.reserve(seqs->size());
  for (uint32_t seq : *seqs)
    if (!selected_->view.expunged_at(seq)) uids.push_back(selected_->view.uid_at(seq));
  return uids;
}

}  // namespace gm::maa
