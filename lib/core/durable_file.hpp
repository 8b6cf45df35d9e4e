// Durable writes: what the suite acknowledges must survive a crash or power
// loss. A file is written to a temporary name, fsync'ed, renamed into place,
// and its directory fsync'ed so the new name is on disk too.
// These calls block on the disk: never call them on an event-loop thread
// that serves clients (STYLE.md).
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace gm::core {

Status write_file_durably(const std::string& path, std::string_view content, mode_t mode = 0644);
Status fsync_directory(const std::string& directory);
Result<std::string> read_file(const std::string& path, size_t max_size);
// mkdir -p with a mode; existing directories are left as they are.
Status make_directories(const std::string& path, mode_t mode);
std::string parent_directory(const std::string& path);

}  // namespace gm::core
