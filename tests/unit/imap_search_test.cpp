#include "mail/imap_search.hpp"

#include <gtest/gtest.h>

#include "imap_read_one.hpp"

#include <string>

namespace gm::mail {
namespace {

// Reads "t SEARCH <criteria>" through the real command reader.
Result<SearchProgram> search(const std::string& criteria) {
  auto r = imap_read_one("t SEARCH " + criteria + "\r\n");
  if (!r || !std::holds_alternative<ImapCommand>(*r)) return make_error("reader refused");
  return parse_search(std::get<ImapCommand>(*r).args);
}

TEST(ImapSearch, EveryKeyParses) {
  const char* keys[] = {"ALL",
                        "ANSWERED",
                        "BCC x",
                        "BEFORE 1-Feb-1994",
                        "BODY \"a b\"",
                        "CC x",
                        "DELETED",
                        "DRAFT",
                        "FLAGGED",
                        "FROM {3+}\r\nabc",
                        "HEADER X-Spam yes",
                        "KEYWORD $Junk",
                        "LARGER 100",
                        "NEW",
                        "NOT SEEN",
                        "OLD",
                        "ON 01-Jan-2020",
                        "OR SEEN DRAFT",
                        "RECENT",
                        "SEEN",
                        "SENTBEFORE 1-Jan-2000",
                        "SENTON 1-Jan-2000",
                        "SENTSINCE \"1-Jan-2000\"",
                        "SINCE 1-Jan-2000",
                        "SMALLER 5",
                        "SUBJECT hello",
                        "TEXT x",
                        "TO x",
                        "UID 1:*",
                        "UNANSWERED",
                        "UNDELETED",
                        "UNDRAFT",
                        "UNFLAGGED",
                        "UNKEYWORD $Junk",
                        "UNSEEN",
                        "1,3:*",
                        "$",
                        "MODSEQ 5",
                        "MODSEQ \"/flags/\\\\seen\" all 10",
                        "(SEEN FLAGGED)"};
  for (const char* k : keys) {
    auto p = search(k);
    EXPECT_TRUE(p.ok()) << k << ": " << (p.ok() ? "" : p.error().message);
  }
}

TEST(ImapSearch, TreeShape) {
  auto p = search("charset utf-8 OR (FROM alice SINCE 1-Feb-1994) NOT UID 5:7 LARGER 10");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->charset, "UTF-8");
  EXPECT_FALSE(p->esearch);
  const auto& root = p->root;
  ASSERT_EQ(root.key, SearchKey::kAnd);
  ASSERT_EQ(root.children.size(), 2u);
  const auto& o = root.children[0];
  ASSERT_EQ(o.key, SearchKey::kOr);
  ASSERT_EQ(o.children[0].key, SearchKey::kAnd);
  EXPECT_EQ(o.children[0].children[0].key, SearchKey::kFrom);
  EXPECT_EQ(o.children[0].children[0].text, "alice");
  EXPECT_EQ(o.children[0].children[1].date, (ImapDate{1994, 2, 1}));
  ASSERT_EQ(o.children[1].key, SearchKey::kNot);
  EXPECT_EQ(o.children[1].children[0].key, SearchKey::kUid);
  EXPECT_EQ(o.children[1].children[0].set.to_string(), "5:7");
  EXPECT_EQ(root.children[1].number, 10u);
}

TEST(ImapSearch, HeaderAndModseq) {
  auto p = search("HEADER \"Message-ID\" \"<x@y>\" MODSEQ \"/flags/\\\\Draft\" priv 620162338");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->root.children[0].header_field, "Message-ID");
  EXPECT_EQ(p->root.children[0].text, "<x@y>");
  EXPECT_EQ(p->root.children[1].modseq_entry, "/flags/\\Draft");
  EXPECT_EQ(p->root.children[1].modseq_type, "priv");
  EXPECT_EQ(p->root.children[1].number, 620162338u);
  EXPECT_TRUE(p->uses_modseq);
}

TEST(ImapSearch, EsearchReturnOptions) {
  auto p = search("RETURN (MIN COUNT) UNSEEN");
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->esearch);
  EXPECT_EQ(p->returns, kReturnMin | kReturnCount);
  p = search("RETURN () ALL");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->returns, kReturnAll);
  p = search("RETURN (SAVE MAX ALL) ALL");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->returns, kReturnSave | kReturnMax | kReturnAll);
  EXPECT_FALSE(search("RETURN (FOO) ALL").ok());
  EXPECT_FALSE(search("RETURN MIN ALL").ok());
}

TEST(ImapSearch, UnknownCharsetIsBadCharset) {
  auto p = search("CHARSET X-NO-SUCH-CHARSET TEXT x");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, kImapSearchBadCharset);
  EXPECT_TRUE(search("CHARSET us-ascii ALL").ok());
}

TEST(ImapSearch, AnIconvCharsetIsAcceptedAndItsStringsBecomeUtf8) {
  // "\xf0\xd2\xc9" is KOI8-R for Cyrillic "При".
  auto p = search("CHARSET KOI8-R OR SUBJECT {3+}\r\n\xf0\xd2\xc9 KEYWORD $x");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->charset, "KOI8-R");
  const SearchNode& or_node = p->root.children.at(0);
  EXPECT_EQ(or_node.children.at(0).text, "\xd0\x9f\xd1\x80\xd0\xb8");
  EXPECT_EQ(or_node.children.at(1).text, "$x");  // keywords are atoms, not converted
}

TEST(ImapSearch, MalformedCriteriaAreErrors) {
  for (const char* bad : {"",
                          "FOO",
                          "FROM",
                          "OR SEEN",
                          "NOT",
                          "BEFORE 1994-02-01",
                          "LARGER x",
                          "LARGER -1",
                          "UID",
                          "UID abc",
                          "0",
                          "1:0",
                          "KEYWORD",
                          "()",
                          "HEADER x",
                          "MODSEQ",
                          "MODSEQ \"/flags/x\" bogus 1",
                          "MODSEQ 9223372036854775808",
                          "CHARSET",
                          "SMALLER 99999999999999999999999"}) {
    auto p = search(bad);
    EXPECT_FALSE(p.ok()) << bad;
    if (!p.ok()) {
      EXPECT_NE(p.error().code, kImapSearchBadCharset) << bad;
    }
  }
}

TEST(ImapSearch, NestingLimitIsBadWithoutRecursionOverflow) {
  std::string ok =
      std::string(kImapMaxSearchDepth - 1, '(') + "ALL" + std::string(kImapMaxSearchDepth - 1, ')');
  EXPECT_TRUE(search(ok).ok());
  std::string nots;
  for (int i = 0; i < 10000; ++i) nots += "NOT ";
  EXPECT_FALSE(search(nots + "ALL").ok());
  std::string ors;
  for (int i = 0; i < 5000; ++i) ors += "OR ALL ";
  EXPECT_FALSE(search(ors + "ALL").ok());
  std::string mixed;
  for (int i = 0; i < 600; ++i) mixed += "NOT (";
  mixed += "ALL" + std::string(600, ')');
  EXPECT_FALSE(search(mixed).ok());
}

TEST(ImapSearch, ParsesFromArgumentsDirectly) {
  ImapArg deep;
  deep.kind = ImapArg::Kind::kList;
  ImapArg* cur = &deep;
  for (int i = 0; i < 5000; ++i) {  // deeper than the reader would ever build
    cur->list.emplace_back();
    cur = &cur->list.back();
    cur->kind = ImapArg::Kind::kList;
  }
  std::vector<ImapArg> args{deep};
  EXPECT_FALSE(parse_search(args).ok());
}

}  // namespace
}  // namespace gm::mail
