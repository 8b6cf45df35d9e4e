#include "mail/imap_fetch_items.hpp"

#include <gtest/gtest.h>

#include "imap_read_one.hpp"

#include <string>

namespace gm::mail {
namespace {

// Reads "t [UID ]FETCH 1 <items>" through the real command reader.
Result<FetchRequest> fetch(const std::string& items, bool uid = false) {
  auto r = imap_read_one(std::string("t ") + (uid ? "UID " : "") + "FETCH 1 " + items + "\r\n");
  if (!r || !std::holds_alternative<ImapCommand>(*r)) return make_error("reader refused");
  const auto& args = std::get<ImapCommand>(*r).args;
  return parse_fetch_items(std::span(args).subspan(1), uid);
}

std::vector<std::string> names(const FetchRequest& r) {
  std::vector<std::string> out;
  for (const auto& i : r.items) out.push_back(i.response_name());
  return out;
}

TEST(ImapFetchItems, Macros) {
  auto all = fetch("ALL");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(names(*all),
            (std::vector<std::string>{"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"}));
  auto fast = fetch("fast");
  ASSERT_TRUE(fast.ok());
  EXPECT_EQ(fast->items.size(), 3u);
  auto full = fetch("FULL");
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->items.back().att, FetchAtt::kBody);
  EXPECT_FALSE(fetch("(ALL)").ok());  // macros stand alone
}

TEST(ImapFetchItems, SimpleItemsAndUidAdded) {
  auto r = fetch("(FLAGS RFC822.SIZE BODYSTRUCTURE RFC822.HEADER)", true);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(names(*r), (std::vector<std::string>{"FLAGS", "RFC822.SIZE", "BODYSTRUCTURE",
                                                 "RFC822.HEADER", "UID"}));
  EXPECT_FALSE(r->items[3].sets_seen());
  auto single = fetch("uid", true);
  ASSERT_TRUE(single.ok());
  EXPECT_EQ(single->items.size(), 1u);
}

TEST(ImapFetchItems, BodySections) {
  auto r = fetch(
      "(BODY[] BODY.PEEK[1.2.HEADER] BODY[TEXT]<0.2048> BODY[2.MIME] "
      "BODY.PEEK[HEADER.FIELDS (From \"To\" Message-ID)] BODY[1.HEADER.FIELDS.NOT (Received)])");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->items.size(), 6u);
  EXPECT_TRUE(r->items[0].sets_seen());
  EXPECT_EQ(r->items[1].section.part, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(r->items[1].section.text, SectionSpec::Text::kHeader);
  EXPECT_TRUE(r->items[1].peek);
  EXPECT_EQ(*r->items[2].section.partial_offset, 0u);
  EXPECT_EQ(*r->items[2].section.partial_count, 2048u);
  EXPECT_EQ(r->items[4].section.fields, (std::vector<std::string>{"FROM", "TO", "MESSAGE-ID"}));
  EXPECT_EQ(names(*r),
            (std::vector<std::string>{"BODY[]", "BODY[1.2.HEADER]", "BODY[TEXT]<0>", "BODY[2.MIME]",
                                      "BODY[HEADER.FIELDS (FROM TO MESSAGE-ID)]",
                                      "BODY[1.HEADER.FIELDS.NOT (RECEIVED)]"}));
}

TEST(ImapFetchItems, BinaryItems) {
  auto r = fetch("(BINARY[1] BINARY.PEEK[2.3]<10.5> BINARY.SIZE[1] BINARY[])");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->items[0].att, FetchAtt::kBinarySection);
  EXPECT_TRUE(r->items[1].peek);
  EXPECT_EQ(r->items[2].att, FetchAtt::kBinarySize);
  EXPECT_EQ(names(*r), (std::vector<std::string>{"BINARY[1]", "BINARY[2.3]<10>", "BINARY.SIZE[1]",
                                                 "BINARY[]"}));
  EXPECT_FALSE(fetch("BINARY[1.HEADER]").ok());
  EXPECT_FALSE(fetch("BINARY.SIZE[1]<0.5>").ok());
}

TEST(ImapFetchItems, ChangedSinceAndVanished) {
  auto r = fetch("(FLAGS) (CHANGEDSINCE 12345 VANISHED)", true);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r->changed_since, 12345u);
  EXPECT_TRUE(r->vanished);
  EXPECT_TRUE(r->uses_modseq);                                    // CHANGEDSINCE implies MODSEQ
  EXPECT_FALSE(fetch("(FLAGS) (VANISHED)", true).ok());           // needs CHANGEDSINCE
  EXPECT_FALSE(fetch("(FLAGS) (CHANGEDSINCE 1 VANISHED)").ok());  // needs UID FETCH
  EXPECT_FALSE(fetch("(FLAGS) (CHANGEDSINCE x)").ok());
  EXPECT_FALSE(fetch("(FLAGS) (CHANGEDSINCE 1 CHANGEDSINCE 2)").ok());
  EXPECT_FALSE(fetch("(FLAGS) (FOO)").ok());
  EXPECT_TRUE(fetch("MODSEQ").ok());
}

TEST(ImapFetchItems, MalformedItems) {
  for (const char* bad :
       {"",
        "()",
        "FOO",
        "BODY[",
        "BODY[0]",
        "BODY[1.]",
        "BODY[.1]",
        "BODY[01]",
        "BODY[MIME]",
        "BODY[HEADER.FIELDS ()]",
        "BODY[HEADER.FIELDS]",
        "BODY[]<0>",
        "BODY[]<0.0>",
        "BODY[]<x.1>",
        "BODY[]<1.2",
        "BODY[XYZ]",
        "\"FLAGS\"",
        "BODY[99999999999]"}) {
    EXPECT_FALSE(fetch(bad).ok()) << bad;
  }
  std::string deep = "BODY[1";
  for (size_t i = 1; i < kMaxSectionParts; ++i) deep += ".1";
  EXPECT_TRUE(fetch(deep + "]").ok());
  EXPECT_FALSE(fetch(deep + ".1]").ok());
}

}  // namespace
}  // namespace gm::mail
