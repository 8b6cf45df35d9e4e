// CRC-32C (Castagnoli, as in iSCSI and ext4 metadata): detects torn and
// corrupted queue-file regions. Not a defence against deliberate tampering;
// the queue directories are writable by the mail system only.
#pragma once

#include <cstdint>
#include <string_view>

namespace gm::mail {

// Continue a running CRC: crc32c(b, crc32c(a)) == crc32c(a + b). Start with 0.
// The CPU's crc32 instruction where it has one (SSE 4.2), else tables.
uint32_t crc32c(std::string_view data, uint32_t crc = 0);
// The table version on every CPU (tests compare the two).
uint32_t crc32c_portable(std::string_view data, uint32_t crc = 0);

}  // namespace gm::mail
