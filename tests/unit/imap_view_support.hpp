// Shared by the MailboxView tests (imap_engine_test.cpp,
// imap_shared_folder_test.cpp): a message record with just what a view keeps.
#pragma once

#include <cstdint>

#include "mail/mailbox_folder.hpp"

namespace gm::maa::testing {

inline mail::MessageRecord record(uint32_t uid, uint8_t flags = 0, uint64_t modseq = 1) {
  mail::MessageRecord r;
  r.uid = uid;
  r.flags = flags;
  r.modseq = modseq;
  return r;
}

}  // namespace gm::maa::testing
