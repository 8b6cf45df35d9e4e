// SORT and THREAD (RFC 5256): sort criteria over the messages a search
// found, the base subject of section 2.1, and the ORDEREDSUBJECT and
// REFERENCES threading algorithms.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "imap_mailbox_view.hpp"
#include "mail/header_cache.hpp"
#include "mail/imap_parser.hpp"
#include "mail/mailbox_folder.hpp"

namespace gm::maa {

enum class SortKey : uint8_t { kArrival, kCc, kDate, kFrom, kSize, kSubject, kTo };
struct SortCriterion {
  SortKey key;
  bool reverse = false;
};
inline constexpr size_t kMaxSortCriteria = 16;

Result<std::vector<SortCriterion>> parse_sort_criteria(const mail::ImapArg& list);
// seqs in sorted order; ties keep sequence order (RFC 5256 3). Header
// fields come from headers when given, else from each message file.
std::vector<uint32_t> sort_messages(const mail::MailboxFolder& folder, const MailboxView& view,
                                    std::span<const uint32_t> seqs,
                                    std::span<const SortCriterion> criteria,
                                    mail::HeaderCache* headers = nullptr);

// RFC 5256 2.1: encoded-words decoded, "Re:", "Fwd:", "[blob]" leaders
// and "(fwd)" trailers removed, whitespace collapsed; case-folded.
std::string base_subject(std::string_view subject);

enum class ThreadAlgorithm : uint8_t { kOrderedSubject, kReferences };
// The thread list "(1 2)(3 (4)(5))" (without "THREAD"), numbers as
// sequence numbers or UIDs.
std::string thread_messages(const mail::MailboxFolder& folder, const MailboxView& view,
                            std::span<const uint32_t> seqs, ThreadAlgorithm algorithm, bool uid,
                            mail::HeaderCache* headers = nullptr);

}  // namespace gm::maa
