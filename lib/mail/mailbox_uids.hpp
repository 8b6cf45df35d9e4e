// The gm-uids file of a folder: the authoritative UID list.
//   GMUIDS 1 <uidvalidity> <uidnext>
//   <uid> <basename>        (one per message ever assigned since the last compaction)
// New assignments are appended (and fdatasync'ed) under the folder lock
// before the index mentions them, so a UID once handed out is never handed
// out again, even when gm-index is lost. Compaction rewrites the file with
// the live messages only (temp + fsync + rename), keeping uidnext.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.hpp"

namespace gm::mail {

struct UidList {
  uint32_t uid_validity = 0;
  uint32_t uid_next = 1;  // max(header, highest listed UID + 1)
  std::unordered_map<std::string, uint32_t> by_basename;
};

struct UidAssignment {
  uint32_t uid;
  std::string_view basename;
};

// An error when the file is missing or its header is unreadable; bad body
// lines (a torn last append) are skipped.
Result<UidList> read_uid_list(const std::string& path);
// Rewrites the whole file (creation, compaction, rebuild from the index).
Status write_uid_list(const std::string& path, uint32_t uid_validity, uint32_t uid_next,
                      const std::vector<UidAssignment>& live);
// Appends assignments in one write, then fdatasync.
Status append_uid_list(const std::string& path, const std::vector<UidAssignment>& added);

}  // namespace gm::mail
