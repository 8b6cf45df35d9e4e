// Compares FETCH answers built from lib/mail's MIME code with Dovecot's for
// the messages in tests/data/mime/*.eml. The .dovecot files were recorded
// from a private Dovecot 2.3 imap process by tests/data/mime/record_dovecot.py;
// tests/data/mime/deviations.txt lists where we answer differently on
// purpose (each with the RFC reason), and the answer we give instead.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/str.hpp"
#include "mail/imap_bodystructure.hpp"
#include "mail/imap_envelope.hpp"
#include "mail/imap_section.hpp"

namespace gm::mail {
namespace {

namespace fs = std::filesystem;
const fs::path kCorpus = fs::path(GM_SOURCE_DIR) / "tests/data/mime";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\r')
      out += "\\r";
    else if (c == '\n')
      out += "\\n";
    else
      out.push_back(c);
  }
  return out;
}

// Literal or literal8 is the server's choice for BINARY: compare without "~".
std::string normalize(std::string s) {
  if (s.starts_with("BINARY[")) {
    size_t tilde = s.find("] ~{");
    if (tilde != std::string::npos) s.erase(tilde + 2, 1);
  }
  return s;
}

// "ITEM\tvalue" lines into a map.
std::map<std::string, std::string> read_answers(const fs::path& path) {
  std::map<std::string, std::string> out;
  std::istringstream in(read_file(path));
  std::string line;
  while (std::getline(in, line)) {
    size_t tab = line.find('\t');
    if (line.empty() || line[0] == '#' || tab == std::string::npos) continue;
    out[line.substr(0, tab)] = line.substr(tab + 1);
  }
  return out;
}

// "name\tITEM\tvalue" lines (comments start with #).
std::map<std::string, std::string> read_deviations() {
  std::map<std::string, std::string> out;
  std::istringstream in(read_file(kCorpus / "deviations.txt"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t tab = line.find('\t');
    size_t tab2 = line.find('\t', tab + 1);
    out[line.substr(0, tab2)] = line.substr(tab2 + 1);
  }
  return out;
}

std::string literal(std::string_view content, bool binary = false) {
  // literal8 (RFC 3516 4.3) when the content has NUL; Dovecot's own rule
  // differs, so the comparison ignores the "~" (see normalize()).
  bool nul = content.find('\0') != std::string_view::npos;
  return str_cat(binary && nul ? "~{" : "{", content.size(), "}\r\n", content);
}

// What an IMAP server built on lib/mail answers for one FETCH item.
std::string answer(const std::string& item, const MimeStructure& m, const MessageSource& src) {
  if (item == "BODYSTRUCTURE") return "BODYSTRUCTURE " + imap_bodystructure(m.root, true);
  if (item == "BODY") return "BODY " + imap_bodystructure(m.root, false);
  if (item == "ENVELOPE") return "ENVELOPE " + imap_envelope(m.root.envelope_fields);
  if (item == "RFC822.SIZE") return str_cat("RFC822.SIZE ", src.size());
  size_t open = item.find('['), close = item.rfind(']');
  std::string name = item.substr(0, open);
  std::string text = item.substr(open + 1, close - open - 1);
  std::string partial = item.substr(close + 1);
  bool binary = name != "BODY.PEEK";
  auto spec = parse_section(text, binary);
  if (!spec) return "ERROR BAD";
  if (!partial.empty()) {
    EXPECT_TRUE(parse_partial(partial, *spec).ok());
  }
  std::string out;
  auto sink = [&](std::string_view chunk) {
    out.append(chunk);
    return Status();
  };
  std::string label = spec->canonical();
  if (name == "BINARY.SIZE") {
    auto size = binary_size(m, src, *spec);
    if (!size)
      return size.error().code == kUnknownCteError ? "ERROR NO" : "BINARY.SIZE[" + label + "] 0";
    return str_cat("BINARY.SIZE[", label, "] ", *size);
  }
  if (name == "BINARY.PEEK") {
    Status s = stream_binary(m, src, *spec, sink);
    if (!s && s.error().code == kUnknownCteError) return "ERROR NO";
    return str_cat("BINARY[", label, "] ", literal(out, true));
  }
  auto content = resolve_section(m, src, *spec);
  // RFC 9051 6.4.5: a part that does not exist is an empty string.
  if (content) {
    EXPECT_TRUE(stream_section(src, apply_partial(*content, *spec), sink).ok());
  }
  std::string origin = spec->partial_offset ? str_cat("<", *spec->partial_offset, ">") : "";
  return str_cat("BODY[", label, "]", origin, " ", literal(out));
}

TEST(MimeCorpus, AnswersMatchDovecotOrDocumentedDeviation) {
  auto deviations = read_deviations();
  size_t messages = 0, compared = 0;
  for (const auto& entry : fs::directory_iterator(kCorpus)) {
    if (entry.path().extension() != ".eml") continue;
    std::string name = entry.path().stem();
    std::string bytes = read_file(entry.path());
    MessageSource src = MessageSource::memory(bytes);
    auto m = parse_mime(src);
    ASSERT_TRUE(m.ok()) << name;
    ++messages;
    fs::path expected_path = entry.path();
    for (const auto& [item, dovecot] : read_answers(expected_path.replace_extension(".dovecot"))) {
      auto deviation = deviations.find(name + "\t" + item);
      std::string expected = deviation != deviations.end() ? deviation->second : dovecot;
      EXPECT_EQ(normalize(escape(answer(item, *m, src))), normalize(expected))
          << name << " " << item;
      ++compared;
    }
  }
  EXPECT_GE(messages, 19u);
  EXPECT_GE(compared, 19u * 20);
}

}  // namespace
}  // namespace gm::mail
