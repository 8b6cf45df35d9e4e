// Test helper: the first result ImapCommandReader gives for `input`.
#pragma once

#include <optional>
#include <string_view>

#include "mail/imap_parser.hpp"

namespace gm::mail {

inline std::optional<ImapReaderResult> imap_read_one(std::string_view input) {
  ImapCommandReader reader;
  std::optional<ImapReaderResult> r;
  while (!input.empty() && !r) {
    input.remove_prefix(reader.feed(input));
    r = reader.take();
  }
  return r;
}

}  // namespace gm::mail
