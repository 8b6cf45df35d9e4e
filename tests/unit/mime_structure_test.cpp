// The streaming MIME structure parser (lib/mail/mime_structure.hpp): offsets,
// sizes and lines; boundaries that straddle read chunks; limits; files.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <fcntl.h>
#include <unistd.h>
#include <cstdio>
#include <cstdlib>

#include "core/unique_fd.hpp"
#include "mail/imap_bodystructure.hpp"
#include "mail/imap_section.hpp"
#include "mail/mime_structure.hpp"

namespace gm::mail {
namespace {

MimeStructure parse(std::string_view bytes) {
  auto m = parse_mime(MessageSource::memory(bytes));
  EXPECT_TRUE(m.ok());
  return std::move(*m);
}

TEST(MimeStructure, SinglePartOffsetsSizesAndLines) {
  std::string msg = "Subject: x\r\n\r\nline 1\r\nline 2\r\n";
  MimeStructure m = parse(msg);
  EXPECT_EQ(m.root.header_size, 14u);
  EXPECT_EQ(m.root.body_offset(), 14u);
  EXPECT_EQ(m.root.body_size, 16u);
  EXPECT_EQ(m.root.body_lines, 2u);
  EXPECT_EQ(m.part_count, 1u);
  ASSERT_EQ(m.root.envelope_fields.size(), 1u);
  EXPECT_EQ(m.root.envelope_fields[0].value, "x");
}

TEST(MimeStructure, HeaderOnlyMessageWithoutEmptyLine) {
  MimeStructure m = parse("Subject: only a header\r\n");
  EXPECT_EQ(m.root.header_size, 24u);
  EXPECT_EQ(m.root.body_size, 0u);
}

TEST(MimeStructure, MultipartPartsExcludeTheCrlfBeforeTheBoundary) {
  std::string msg =
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
      "pre\r\n--b\r\nContent-Type: text/plain\r\n\r\none\r\n--b\r\n\r\ntwo\r\n\r\n--b--\r\nepi\r\n";
  MimeStructure m = parse(msg);
  ASSERT_EQ(m.root.children.size(), 2u);
  const MimePart& one = m.root.children[0];
  EXPECT_EQ(msg.substr(one.body_offset(), one.body_size), "one");
  EXPECT_EQ(one.body_lines, 0u);
  const MimePart& two = m.root.children[1];
  EXPECT_EQ(msg.substr(two.offset, two.header_size), "\r\n");
  EXPECT_EQ(msg.substr(two.body_offset(), two.body_size), "two\r\n");
  EXPECT_EQ(two.body_lines, 1u);
  EXPECT_EQ(m.root.end(), msg.size());
}

// Found by fuzzing: a part whose header's empty line is also the CRLF
// before the next outer boundary must still end inside its parent.
TEST(MimeStructure, PartsNestWhenAHeaderEndsRightBeforeAnOuterBoundary) {
  std::string msg =
      "Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\n"
      "Content-Type: multipart/alternative; boundary=i\r\n\r\n--i\r\nX: y\r\n\r\n--o--\r\n";
  MimeStructure m = parse(msg);
  const MimePart& alt = m.root.children.at(0);
  const MimePart& leaf = alt.children.at(0);
  EXPECT_EQ(leaf.body_size, 0u);
  EXPECT_LE(leaf.end(), alt.end());
  EXPECT_LE(alt.end(), m.root.end());
}

TEST(MimeStructure, BoundaryStraddlingReadChunksIsFound) {
  // Put the boundary line at every offset around the 64 KiB read chunk.
  for (size_t pad = kMimeReadChunk - 70; pad < kMimeReadChunk + 10; ++pad) {
    std::string head = "Content-Type: multipart/mixed; boundary=\"=_b\"\r\n\r\n--=_b\r\n\r\n";
    std::string body(pad - head.size() % pad, 'x');
    std::string msg = head + body + "\r\n--=_b\r\n\r\nsecond\r\n--=_b--\r\n";
    MimeStructure m = parse(msg);
    ASSERT_EQ(m.root.children.size(), 2u) << pad;
    EXPECT_EQ(m.root.children[0].body_size, body.size()) << pad;
    const MimePart& second = m.root.children[1];
    EXPECT_EQ(msg.substr(second.body_offset(), second.body_size), "second") << pad;
  }
}

TEST(MimeStructure, LinesLongerThanTheBufferAreCountedAndSized) {
  std::string long_line(3 * kMimeReadChunk + 5, 'A');
  std::string msg =
      "Content-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\n" +
      long_line + "\r\n" + long_line + "\r\n--q--\r\n";
  MimeStructure m = parse(msg);
  ASSERT_EQ(m.root.children.size(), 1u);
  EXPECT_EQ(m.root.children[0].body_size, 2 * long_line.size() + 2);
  EXPECT_EQ(m.root.children[0].body_lines, 1u);
}

TEST(MimeStructure, NestedBoundaryThatExtendsTheOuterOneMatchesInnermostFirst) {
  std::string msg =
      "Content-Type: multipart/mixed; boundary=ab\r\n\r\n--ab\r\n"
      "Content-Type: multipart/alternative; boundary=abc\r\n\r\n--abc\r\n\r\nin\r\n--abc--\r\n"
      "--ab--\r\n";
  MimeStructure m = parse(msg);
  ASSERT_EQ(m.root.children.size(), 1u);
  ASSERT_EQ(m.root.children[0].children.size(), 1u);
}

TEST(MimeStructure, DepthLimitLeavesTheRestAsALeaf) {
  std::string msg;
  for (size_t i = 0; i < kMaxMimeDepth + 20; ++i) msg += "Content-Type: message/rfc822\r\n\r\n";
  msg += "body\r\n";
  MimeStructure m = parse(msg);
  size_t depth = 0;
  for (const MimePart* p = &m.root; !p->children.empty(); p = &p->children[0]) ++depth;
  EXPECT_EQ(depth, kMaxMimeDepth);
  // The innermost message/rfc822 without a parsed child still gives valid BODYSTRUCTURE.
  EXPECT_NE(imap_bodystructure(m.root, true).find("(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)"),
            std::string::npos);
}

TEST(MimeStructure, PartLimitStopsAddingParts) {
  std::string msg = "Content-Type: multipart/mixed; boundary=p\r\n\r\n";
  for (size_t i = 0; i < kMaxMimeParts + 50; ++i) msg += "--p\r\n\r\nx\r\n";
  msg += "--p--\r\n";
  MimeStructure m = parse(msg);
  EXPECT_LE(m.part_count, kMaxMimeParts);
  EXPECT_EQ(m.root.end(), msg.size());
}

TEST(MimeStructure, DigestPartsDefaultToMessageRfc822) {
  MimeStructure m = parse(
      "Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: "
      "in\r\n\r\nx\r\n--d--\r\n");
  ASSERT_EQ(m.root.children.size(), 1u);
  EXPECT_EQ(m.root.children[0].type, "message");
  EXPECT_TRUE(m.root.children[0].is_message());
  EXPECT_EQ(m.root.children[0].children[0].envelope_fields.at(0).value, "in");
}

// A 50 MB message is parsed through the bounded buffer: peak memory grows
// far less than the message size.
TEST(MimeStructure, LargeFileParsesInBoundedMemory) {
  char path[] = "/tmp/gm_mime_large_XXXXXX";
  UniqueFd fd(::mkstemp(path));
  ASSERT_TRUE(fd.valid());
  ::unlink(path);
  std::string head =
      "Subject: big\r\nContent-Type: multipart/mixed; boundary=big\r\n\r\n--big\r\n"
      "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  ASSERT_EQ(::write(fd.get(), head.data(), head.size()), static_cast<ssize_t>(head.size()));
  std::string line(76, 'Q');
  line += "\r\n";
  std::string block;
  for (int i = 0; i < 10000; ++i) block += line;
  constexpr int kBlocks = 65;  // 65 * 780,000 bytes, about 50 MB
  for (int i = 0; i < kBlocks; ++i)
    ASSERT_EQ(::write(fd.get(), block.data(), block.size()), static_cast<ssize_t>(block.size()));
  std::string tail = "--big--\r\n";
  ASSERT_EQ(::write(fd.get(), tail.data(), tail.size()), static_cast<ssize_t>(tail.size()));

  rusage before{}, after{};
  ::getrusage(RUSAGE_SELF, &before);
  auto source = MessageSource::file(fd.get());
  ASSERT_TRUE(source.ok());
  auto m = parse_mime(*source);
  ASSERT_TRUE(m.ok());
  ::getrusage(RUSAGE_SELF, &after);
  ASSERT_EQ(m->root.children.size(), 1u);
  EXPECT_EQ(m->root.children[0].body_size, kBlocks * block.size() - 2);
  EXPECT_EQ(m->root.children[0].body_lines, kBlocks * 10000u - 1);
  EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 8 * 1024);  // KiB: far below 50 MB

  SectionSpec spec;
  spec.part = {1};
  auto size = binary_size(*m, *source, spec);
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, kBlocks * 10000u * 57);  // 76 base64 chars = 57 bytes
}

}  // namespace
}  // namespace gm::mail
