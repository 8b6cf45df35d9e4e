// Maildir++ quota (Courier's maildirsize file, also read by Dovecot): the
// first line defines the quota ("<bytes>S,<count>C"), each further line adds
// "<bytes> <count>" (negative for removals). Delivery sums the file to learn
// the usage, refuses over quota with 452 4.2.2, and appends one line per
// delivered message. The file is recalculated by a scan of every folder when
// it is missing, unreadable, larger than 5120 bytes, says the user is over
// quota but was last written more than 15 minutes ago (the Maildir++ rules),
// or defines a different quota than the user's current one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace gm::mail {

inline constexpr size_t kMaildirSizeRecalcAt = 5120;      // Maildir++: recalc beyond this
inline constexpr int kMaildirSizeStaleSeconds = 15 * 60;  // Maildir++: recalc if over quota

struct MaildirQuota {
  uint64_t bytes = 0;     // 0: no limit
  uint64_t messages = 0;  // 0: no limit
  bool operator==(const MaildirQuota&) const = default;
};

struct QuotaUsage {
  int64_t bytes = 0;
  int64_t messages = 0;
};

std::string format_quota(const MaildirQuota& quota);  // "1048576S,1000C"
Result<MaildirQuota> parse_quota(std::string_view line);

// Current usage of the Maildir at root under `quota`, recalculating
// root/maildirsize when needed (see above).
Result<QuotaUsage> quota_usage(const std::string& root, const MaildirQuota& quota);
// Scans every folder (new/ and cur/ of the root and of each .folder) and
// rewrites root/maildirsize (via tmp/ and rename).
Result<QuotaUsage> recalculate_quota(const std::string& root, const MaildirQuota& quota);
// Whether adding a message would go over the quota.
bool would_exceed(const MaildirQuota& quota, const QuotaUsage& usage, uint64_t message_bytes);
// Appends "<bytes> <count>\n" in one write (O_APPEND keeps concurrent lines whole).
Status record_quota_change(const std::string& root, int64_t bytes, int64_t messages);

}  // namespace gm::mail
