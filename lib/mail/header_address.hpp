// Addresses in message header fields (From:, Sender:, Reply-To:, To:, Cc:,
// Bcc:): RFC 5322 3.4 address-list and mailbox-list with display names,
// groups, comments and quoted strings, tolerating the obsolete forms of
// RFC 5322 4.4 (routes in angle addresses, CFWS around dots, empty list
// elements, dots in phrases) and UTF-8 as RFC 6532 allows. Encoded-words
// (RFC 2047) in display names are returned as they are, not decoded.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace gm::mail {

inline constexpr size_t kMaxAddressFieldLength = 64 * 1024;  // an unfolded field body
inline constexpr size_t kMaxHeaderAddresses = 1000;          // mailboxes in one field
inline constexpr size_t kMaxCommentDepth = 16;               // nested ( ( ) )

struct HeaderMailbox {
  std::string display_name;  // words joined by single spaces, quotes removed; may be empty
  std::string local_part;    // unquoted, for lookups: re-quote before writing it into a header
  std::string domain;        // a domain name, or a domain literal with [ ]

  std::string address() const { return local_part + "@" + domain; }
};

// One element of an address-list: a mailbox, or a group of mailboxes.
struct HeaderAddress {
  bool is_group = false;
  std::string group_name;                // display name of a group
  std::vector<HeaderMailbox> mailboxes;  // one for a mailbox; zero or more for a group
};

// address-list (To:, Cc:, Bcc:, Reply-To:). An empty field gives an empty
// list (Bcc: may be empty, RFC 5322 3.6.3).
Result<std::vector<HeaderAddress>> parse_address_list(std::string_view field_body);
// mailbox-list (From:): groups are not allowed.
Result<std::vector<HeaderMailbox>> parse_mailbox_list(std::string_view field_body);
// Every mailbox of an address-list, groups flattened.
std::vector<HeaderMailbox> flatten(const std::vector<HeaderAddress>& addresses);

}  // namespace gm::mail
