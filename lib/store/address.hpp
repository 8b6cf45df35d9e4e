// Syntax and canonical form of the addresses and domains the user directory
// holds. Deliberately stricter than RFC 5321: dot-atom local parts only (no
// quoted strings), no '/' (a local part names a mailbox directory), and
// ASCII host names (IDNs in their xn-- A-label form).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace gm::store {

inline constexpr size_t kMaxLocalPartLength = 64;  // RFC 5321 4.5.3.1.1
inline constexpr size_t kMaxDomainLength = 255;    // RFC 5321 4.5.3.1.2
inline constexpr size_t kMaxLabelLength = 63;      // RFC 1035 2.3.4
inline constexpr size_t kMaxAddressLength = 254;   // RFC 5321 4.5.3.1.3: path 256 with <>

// The domain in lower case, or an error naming what is wrong.
Result<std::string> canonical_domain(std::string_view domain);
// "local@domain" with the domain lowercased; the local part keeps its case
// (RFC 5321 2.4: only the receiving host may interpret it).
Result<std::string> canonical_address(std::string_view address);
// The parts of an address already in canonical form.
std::string_view local_part_of(std::string_view canonical);
std::string_view domain_of(std::string_view canonical);

}  // namespace gm::store
