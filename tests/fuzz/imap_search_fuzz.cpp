// SEARCH criteria on any bytes: "t SEARCH <input>" goes through the command
// reader and the search parser; the answer is a program or an error, never a
// crash or a stack overflow, however deep the parentheses, NOTs and ORs.
// Dates and sequence sets inside are re-checked for sane values.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "mail/imap_parser.hpp"
#include "mail/imap_search.hpp"

namespace {

void check(const gm::mail::SearchNode& n, size_t depth) {
  if (depth > gm::mail::kImapMaxSearchDepth + 1) std::abort();
  if (n.date.month < 1 || n.date.month > 12 || n.date.day < 1 || n.date.day > 31) std::abort();
  if (n.key == gm::mail::SearchKey::kNot && n.children.size() != 1) std::abort();
  if (n.key == gm::mail::SearchKey::kOr && n.children.size() != 2) std::abort();
  for (const auto& c : n.children) check(c, depth + 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string line = "t SEARCH ";
  line.append(reinterpret_cast<const char*>(data), size);
  line += "\r\n";
  gm::mail::ImapCommandReader reader;
  std::string_view in = line;
  while (!in.empty()) {
    in.remove_prefix(reader.feed(in));
    while (auto r = reader.take()) {
      auto* c = std::get_if<gm::mail::ImapCommand>(&*r);
      if (!c || c->name != "SEARCH") continue;
      auto program = gm::mail::parse_search(c->args);
      if (program) check(program->root, 0);
    }
  }
  return 0;
}
