// The IMAP command reader on any bytes, fed in pieces whose sizes come from
// the input: every result is a command or an error, never a crash; a
// command's text stays within kImapMaxLine; literals held in memory stay
// within the configured bound. Commands go on to the sequence-set, FETCH
// and mailbox-name parsers, which must answer without crashing.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mail/imap_fetch_items.hpp"
#include "mail/imap_parser.hpp"
#include "mail/imap_sequence_set.hpp"
#include "mail/mutf7.hpp"

namespace {

constexpr uint64_t kBuffered = 4096;

struct CountingSink : gm::mail::ImapLiteralSink {
  uint64_t total = 0;
  void write(std::string_view chunk) override { total += chunk.size(); }
};

uint64_t literal_bytes(const std::vector<gm::mail::ImapArg>& args) {
  uint64_t n = 0;
  for (const auto& a : args) {
    if (a.kind == gm::mail::ImapArg::Kind::kLiteral) n += a.text.size();
    if (a.is_list()) n += literal_bytes(a.list);
  }
  return n;
}

void check(const gm::mail::ImapCommand& c) {
  if (c.raw.size() > gm::mail::kImapMaxLine + 2) std::abort();
  if (literal_bytes(c.args) > kBuffered) std::abort();
  if (c.name == "FETCH" && c.args.size() >= 2) {
    (void)gm::mail::SequenceSet::parse(c.args[0].text);
    (void)gm::mail::parse_fetch_items(std::span(c.args).subspan(1), c.uid);
  }
  if (!c.args.empty() && c.args[0].is_astring()) {
    (void)gm::mail::mailbox_name_from_wire(c.args[0].text, true);
    // A rev1 name that decodes re-encodes to exactly what was sent (canonical).
    auto name = gm::mail::mailbox_name_from_wire(c.args[0].text, false);
    if (name && gm::mail::mailbox_name_to_wire(*name, false) != c.args[0].text) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t chunk = size_t(data[0] % 16) + 1;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  gm::mail::ImapCommandReader reader({.max_literal = 1 << 20, .max_buffered_literals = kBuffered});
  CountingSink sink;
  reader.on_literal([&](const gm::mail::ImapLiteralAnnounce& a) -> gm::mail::ImapLiteralSink* {
    return a.name == "APPEND" ? &sink : nullptr;
  });
  while (!in.empty()) {
    std::string_view piece = in.substr(0, chunk);
    size_t used = reader.feed(piece);
    in.remove_prefix(used);
    while (auto r = reader.take()) {
      if (auto* c = std::get_if<gm::mail::ImapCommand>(&*r)) check(*c);
      if (auto* e = std::get_if<gm::mail::ImapSyntaxError>(&*r); e && e->text.empty()) std::abort();
    }
  }
  return 0;
}
