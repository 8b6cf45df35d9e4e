// The records of the user directory and their stored form: "name=value"
// lines, the first one "v=<format version>". Unknown names are kept and
// written back unchanged, so an older program never drops what a newer one
// stored; a later format version is read the same way (fields are only ever
// added). The key (address or domain) is not part of the value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace gm::store {

inline constexpr int kRecordFormatVersion = 1;
inline constexpr size_t kMaxRecordSize = 64 * 1024;
inline constexpr size_t kMaxRecordFields = 1100;
inline constexpr size_t kMaxAliasTargets = 1000;
inline constexpr size_t kMaxMailboxLength = 1024;

using ExtraFields = std::vector<std::pair<std::string, std::string>>;

enum class UserStatus { kActive, kSuspended };
std::string_view user_status_name(UserStatus status);

struct UserRecord {
  std::string address;  // canonical user@domain (the key)
  UserStatus status = UserStatus::kActive;
  uint64_t quota = 0;        // bytes; 0: no limit
  std::string scram_sha1;    // encode_scram_secret() text; empty: none
  std::string scram_sha256;  // likewise
  int64_t created = 0;       // Unix time
  std::string mailbox;       // relative to mail_dir, e.g. "example.org/alice"
  ExtraFields extra;         // fields this version does not know
};

struct DomainRecord {
  std::string name;  // lowercase (the key)
  int64_t created = 0;
  ExtraFields extra;
};

struct AliasRecord {
  std::string address;               // canonical (the key)
  std::vector<std::string> targets;  // canonical addresses, in insertion order
  ExtraFields extra;
};

std::string encode_user(const UserRecord& user);
Result<UserRecord> decode_user(std::string_view address, std::string_view text);
std::string encode_domain(const DomainRecord& domain);
Result<DomainRecord> decode_domain(std::string_view name, std::string_view text);
std::string encode_alias(const AliasRecord& alias);
Result<AliasRecord> decode_alias(std::string_view address, std::string_view text);

// "<domain>/<local part>": where a new user's Maildir lives under mail_dir.
std::string default_mailbox(std::string_view canonical_address);
// A mailbox location must stay below mail_dir: relative, no "..", printable.
Status check_mailbox(std::string_view mailbox);

}  // namespace gm::store
