// Maildir file names: "<basename>:2,<flags>" where the basename may carry
// Maildir++ / Dovecot fields (",S=<size>", ",W=<size>") and the flags are
// letters in ASCII order: D F P R S T (\Draft \Flagged Passed \Answered
// \Seen \Deleted) then keyword letters a-z (cr.yp.to/proto/maildir.html).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gm::mail {

// Maildir's "P" (passed/resent) has no IMAP flag; kept so a rename keeps it.
inline constexpr uint8_t kMaildirPassed = 32;

struct MaildirName {
  std::string_view basename;     // up to the ':' of the info part
  uint8_t flags = 0;             // Flag bits and kMaildirPassed
  uint32_t keyword_bits = 0;     // bit i = letter 'a'+i
  std::optional<uint64_t> size;  // from ",S="
};

MaildirName parse_maildir_name(std::string_view filename);
// "<basename>:2,<letters>"
std::string maildir_name(std::string_view basename, uint8_t flags, uint32_t keyword_bits);
// When a message was delivered, from the name maildir_unique_name() gives it
// ("<sec>.M<usec>P<pid>Q<n>.<host>"; usec is not zero-padded, so such names
// do not sort by time as text). nullopt for names of another form.
struct DeliveryTime {
  int64_t seconds = 0;
  int64_t microseconds = 0;
  auto operator<=>(const DeliveryTime&) const = default;
};
std::optional<DeliveryTime> maildir_delivery_time(std::string_view filename);

// Dot files, temporary and non-Maildir entries are skipped by scans.
bool is_message_filename(std::string_view filename);

}  // namespace gm::mail
