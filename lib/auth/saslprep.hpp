// SASLprep (RFC 4013), the stringprep profile for user names and passwords,
// done by GNU libidn's "SASLprep" profile: the full RFC 4013 job, i.e.
// mapping (non-ASCII spaces to U+0020, "commonly mapped to nothing" removed),
// NFKC normalisation, the prohibited-output tables (controls, private use,
// non-characters, surrogates, ...), the bidi rules, and for stored strings
// the rejection of unassigned code points (Unicode 3.2 tables, as the RFC
// requires). Invalid UTF-8 and embedded NUL are rejected before libidn sees
// the bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/secret.hpp"

namespace gm::auth {

// RFC 3454 section 7: strings a client sends are "queries" (unassigned code
// points allowed); strings kept in a database are "stored" (refused).
enum class SaslprepKind { kQuery, kStored };

// Longest input prepared, in bytes; user names and passwords beyond it are
// refused (RFC 4616 allows at most 255 octets per field).
inline constexpr size_t kSaslprepMaxInput = 1024;

// The prepared string, or an error for prohibited, unassigned (stored),
// badly formed or empty output. The error text never contains the input.
Result<std::string> saslprep(std::string_view text, SaslprepKind kind);
// The same for a password; the result stays a Secret.
Result<Secret> saslprep_password(const Secret& password, SaslprepKind kind);

}  // namespace gm::auth
