// Fuzzes the gm-index parser (a cache file another process or a crash may
// have left in any state) and the Maildir file-name parser: whatever parses
// must format back to something that parses to the same records.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mail/mailbox_filename.hpp"
#include "mail/mailbox_index.hpp"

namespace {

bool same(const gm::mail::MailboxIndex& a, const gm::mail::MailboxIndex& b) {
  if (a.uid_validity != b.uid_validity || a.uid_next != b.uid_next ||
      a.highest_modseq != b.highest_modseq || a.messages.size() != b.messages.size() ||
      a.expunged.size() != b.expunged.size())
    return false;
  for (size_t i = 0; i < a.messages.size(); ++i) {
    const auto &x = a.messages[i], &y = b.messages[i];
    if (x.uid != y.uid || x.modseq != y.modseq || x.size != y.size || x.flags != y.flags ||
        x.keyword_bits != y.keyword_bits || x.filename != y.filename)
      return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto index = gm::mail::parse_mailbox_index(input);
  if (index) {
    auto again = gm::mail::parse_mailbox_index(gm::mail::format_mailbox_index(*index));
    if (!again || !same(*index, *again)) __builtin_trap();
  }
  auto name = gm::mail::parse_maildir_name(input);
  std::string rebuilt = gm::mail::maildir_name(name.basename, name.flags, name.keyword_bits);
  auto reparsed = gm::mail::parse_maildir_name(rebuilt);
  if (reparsed.basename != name.basename || reparsed.flags != name.flags ||
      reparsed.keyword_bits != name.keyword_bits)
    __builtin_trap();
  return 0;
}
