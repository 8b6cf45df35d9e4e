// IMAP dates (RFC 9051 9: date-time for APPEND and INTERNALDATE, date for
// SEARCH BEFORE/ON/SINCE/SENTxxx). Calendar arithmetic of its own (proleptic
// Gregorian), no locale, no TZ environment, no libc time functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace gm::mail {

struct ImapDate {
  int year = 1970;  // four digits
  int month = 1;    // 1..12
  int day = 1;      // 1..31, valid for the month
  bool operator==(const ImapDate&) const = default;
  auto operator<=>(const ImapDate&) const = default;
};

struct ImapDateTime {
  int64_t unix_time = 0;  // UTC seconds
  int zone_minutes = 0;   // the client's offset, e.g. -420 for -0700
};

// "17-Jul-1996" or " 7-Jul-1996" / "7-Jul-1996" (date-day is 1*2DIGIT);
// the month name is case-insensitive.
Result<ImapDate> parse_imap_date(std::string_view text);
// "17-Jul-1996 02:44:25 -0700" (date-day-fixed: " 7-Jul-..." or "07-Jul-...").
Result<ImapDateTime> parse_imap_datetime(std::string_view text);

// "17-Jul-1996 02:44:25 -0700" for INTERNALDATE (caller adds the quotes).
std::string format_imap_datetime(int64_t unix_time, int zone_minutes = 0);
// "17-Jul-1996"
std::string format_imap_date(const ImapDate& date);

// The calendar day of an instant as seen at `zone_minutes` from UTC, for
// SEARCH's "disregarding time and timezone" comparisons.
ImapDate date_of(int64_t unix_time, int zone_minutes = 0);
// Days since 1970-01-01 (negative before).
int64_t days_from_civil(const ImapDate& date);

}  // namespace gm::mail
