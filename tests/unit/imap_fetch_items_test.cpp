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
  EXPECT_EQ(r->items[1].part, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(r->items[1].text, SectionText::kHeader);
  EXPECT_TRUE(r->items[1].peek);
  EXPECT_EQ(*r->items[2].partial_origin, 0u);
  EXPECT_EQ(r->items[2].partial_length, 2048u);
  EXPECT_EQ(r->items[4].fields, (std::vector<std::string>{"From", "To", "Message-ID"}));
  EXPECT_EQ(names(*r),
            (std::vector<std::string>{"BODY[]", "BODY[1.2.HEADER]", "BODY[TEXT]<0>", "BODY[2.MIME]",
                                      "BODY[HEADER.FIELDS (From To Message-ID)]",
                                      "BODY[1.HEADER.FIELDS.NOT (Received)]"}));
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
        "BODY[HEADER.FIELDS (A:B)]",
        "BODY[HEADER.FIELDS]",
        "BODY[]<0>",
        "BODY[]<0.0>",
        "BODY[]<x.1>",
        "BODY[]<1.2",
        "BODY[XYZ]",
        "\"FLAGS\"",
        "BODY[1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17.18.19.20.21.22.23.24.25.26.27.28.29.30."
        "31.32.33.34.35.36.37.38.39.40.41.42.43.44.45.46.47.48.49.50.51.52.53.54.55.56.57.58.59."
        "60.61.62.63.64.65]",
        "BODY[99999999999]"}) {
    EXPECT_FALSE(fetch(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace gm::mail
