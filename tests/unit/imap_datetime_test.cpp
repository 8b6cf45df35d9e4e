#include <gtest/gtest.h>

#include "mail/imap_datetime.hpp"

namespace gm::mail {
namespace {

TEST(ImapDatetime, ParsesDateTimeWithZone) {
  auto t = parse_imap_datetime("17-Jul-1996 02:44:25 -0700");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->unix_time, 837596665);  // 1996-07-17T09:44:25Z
  EXPECT_EQ(t->zone_minutes, -420);
  auto fixed = parse_imap_datetime(" 7-jul-1996 02:44:25 +0000");
  ASSERT_TRUE(fixed.ok());
  EXPECT_EQ(fixed->unix_time, 837596665 - 10 * 86400 - 7 * 3600);
}

TEST(ImapDatetime, RejectsMalformed) {
  for (std::string_view bad :
       {"", "17-Jul-1996 02:44:25", "17-Jul-1996 02:44:25 0700", "32-Jul-1996 02:44:25 +0000",
        "29-Feb-2023 00:00:00 +0000", "17-Jux-1996 02:44:25 +0000", "17-Jul-96 02:44:25 +0000",
        "17-Jul-1996 24:00:00 +0000", "17-Jul-1996 02:60:00 +0000", "17-Jul-1996 02:44:25 +0060",
        "7-Jul-1996 02:44:25 +0000", "17-Jul-1996  2:44:25 +0000"}) {
    EXPECT_FALSE(parse_imap_datetime(bad).ok()) << bad;
  }
  EXPECT_TRUE(parse_imap_datetime("29-Feb-2024 00:00:00 +0000").ok());
}

TEST(ImapDatetime, FormatsInternalDate) {
  EXPECT_EQ(format_imap_datetime(837596665, -420), "17-Jul-1996 02:44:25 -0700");
  EXPECT_EQ(format_imap_datetime(0), "01-Jan-1970 00:00:00 +0000");
  EXPECT_EQ(format_imap_datetime(-1, 90), "01-Jan-1970 01:29:59 +0130");
}

TEST(ImapDatetime, SearchDates) {
  auto d = parse_imap_date("1-Feb-1994");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, (ImapDate{1994, 2, 1}));
  EXPECT_TRUE(parse_imap_date("01-feb-1994").ok());
  EXPECT_FALSE(parse_imap_date("1-Feb-94").ok());
  EXPECT_FALSE(parse_imap_date("31-Apr-2020").ok());
  EXPECT_FALSE(parse_imap_date("001-Feb-1994").ok());
  EXPECT_EQ(format_imap_date(*d), "01-Feb-1994");
}

TEST(ImapDatetime, CalendarRoundTrip) {
  for (int64_t day = -800000; day < 800000; day += 997) {
    ImapDate d = date_of(day * 86400);
    EXPECT_EQ(days_from_civil(d), day);
  }
  EXPECT_EQ(date_of(86399, 0), (ImapDate{1970, 1, 1}));
  EXPECT_EQ(date_of(0, -60), (ImapDate{1969, 12, 31}));
}

}  // namespace
}  // namespace gm::mail
