// Fuzzes IMAP mailbox name -> Maildir++ directory mapping: an accepted name
// never yields a path component that escapes the Maildir root, and maps
// back to the same (normalized) name.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mail/mailbox_name.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto dir = gm::mail::mailbox_dir_name(input);
  if (!dir) return 0;
  if (dir->find('/') != std::string::npos || dir->find('\0') != std::string::npos ||
      dir->find("..") != std::string::npos || *dir == ".")
    __builtin_trap();
  auto normalized = gm::mail::normalize_mailbox_name(input);
  if (!normalized) __builtin_trap();
  if (dir->empty()) {
    if (*normalized != "INBOX") __builtin_trap();
    return 0;
  }
  auto back = gm::mail::mailbox_name_from_dir(*dir);
  if (!back || *back != *normalized) __builtin_trap();
  return 0;
}
