// Fuzzes the MIME parser and everything built on its tree: any bytes give a
// structure whose parts lie inside the message, BODYSTRUCTURE and ENVELOPE
// text, resolvable sections, BINARY decoding and search, never a crash, a
// hang or unbounded recursion.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mail/imap_bodystructure.hpp"
#include "mail/imap_envelope.hpp"
#include "mail/imap_section.hpp"
#include "mail/mime_encoded_word.hpp"
#include "mail/mime_search.hpp"

namespace {

using namespace gm::mail;

void check_part(const MimePart& p, uint64_t size) {
  if (p.end() > size || p.body_offset() < p.offset) std::abort();
  for (const MimePart& child : p.children) {
    if (child.offset < p.body_offset() || child.end() > p.end()) std::abort();
    check_part(child, size);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  MessageSource source = MessageSource::memory(text);
  auto m = parse_mime(source);
  if (!m) std::abort();  // only read errors fail, and memory never fails to read
  check_part(m->root, size);
  (void)imap_bodystructure(m->root, true);
  (void)imap_envelope(m->root.envelope_fields);
  auto sink = [](std::string_view) { return gm::Status(); };
  for (std::string_view section : {"", "1", "2.1", "1.MIME", "2.HEADER", "HEADER.FIELDS (FROM)"}) {
    auto spec = parse_section(section);
    if (!spec) std::abort();
    if (auto content = resolve_section(*m, source, *spec))
      (void)stream_section(source, apply_partial(*content, *spec), sink);
    spec->text = SectionSpec::Text::kNone;
    (void)stream_binary(*m, source, *spec, sink);
  }
  (void)text_contains(source, *m, "needle", true);
  (void)decode_encoded_words(text.substr(0, 2000));
  return 0;
}
