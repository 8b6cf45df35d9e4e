// The maildrop directory, $spool_dir/maildrop: where sendmail(1) leaves
// messages through the setgid helper gm-postdrop(8), as Postfix's postdrop
// does. Mode 1730 and the setgid group: members may create files but not
// list the directory or remove other people's files. Files in it are
// untrusted; qmgr checks each one before moving it to incoming/.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace gm::mail {

inline constexpr std::string_view kMaildropName = "maildrop";
inline constexpr mode_t kMaildropMode = 01730;
// Queue files in maildrop are readable by their name (qmgr may run as
// another account than the submitter); the directory itself hides names.
inline constexpr mode_t kMaildropFileMode = 0444;

std::string maildrop_directory(std::string_view spool_dir);
// Creates the directory (and spool_dir) if missing; when `group` is not
// (gid_t)-1, gives it that group. Sets the mode even if the directory exists.
Status make_maildrop_directory(const std::string& spool_dir, gid_t group);

}  // namespace gm::mail
