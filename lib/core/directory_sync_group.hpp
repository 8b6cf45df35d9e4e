// Group fsync of a directory: threads of one process that each renamed a
// file into the same directory share one fsync of it. An fsync started
// after a caller's rename covers that rename, so each caller waits for the
// first fsync that began after it asked (or starts one); concurrent
// deliveries into one Maildir new/ then cost one directory fsync per wave
// instead of one each. Same guarantee as core::fsync_directory: at return
// the caller's earlier renames into the directory are durable.
// Blocks on the disk: worker threads only.
#pragma once

#include <string>

#include "core/result.hpp"

namespace gm::core {

Status fsync_directory_grouped(const std::string& directory);

}  // namespace gm::core
