#include "mail/imap_datetime.hpp"

#include <array>
#include <charconv>
#include <cstdio>

#include "core/str.hpp"

namespace gm::mail {
namespace {

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr int64_t kSecondsPerDay = 86400;
// RFC 5322 3.3 zones span -9959..+9959; real ones stay within +-14:00.
constexpr int kMaxZoneMinutes = 99 * 60 + 59;

bool digits(std::string_view s, size_t n, int& out) {
  if (s.size() != n) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

bool leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

// "dd-Mon-yyyy" with the day already stripped of a leading space.
Result<ImapDate> parse_date_parts(std::string_view day, std::string_view rest) {
  ImapDate d;
  if (!(digits(day, 1, d.day) || digits(day, 2, d.day))) return make_error("Invalid date");
  if (rest.size() != 9 || rest[0] != '-' || rest[4] != '-') return make_error("Invalid date");
  d.month = 0;
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (iequals(rest.substr(1, 3), kMonths[i])) d.month = int(i) + 1;
  }
  if (d.month == 0 || !digits(rest.substr(5), 4, d.year)) return make_error("Invalid date");
  if (d.day < 1 || d.day > days_in_month(d.year, d.month)) return make_error("Invalid date");
  return d;
}

}  // namespace

// Howard Hinnant's days_from_civil.
int64_t days_from_civil(const ImapDate& date) {
  int64_t y = date.year - (date.month <= 2 ? 1 : 0);
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t mp = (date.month + 9) % 12;
  int64_t doy = (153 * mp + 2) / 5 + date.day - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

ImapDate date_of(int64_t unix_time, int zone_minutes) {
  int64_t t = unix_time + int64_t(zone_minutes) * 60;
  int64_t z = (t >= 0 ? t : t - (kSecondsPerDay - 1)) / kSecondsPerDay + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  ImapDate d;
  d.day = int(doy - (153 * mp + 2) / 5 + 1);
  d.month = int(mp < 10 ? mp + 3 : mp - 9);
  d.year = int(yoe + era * 400 + (d.month <= 2 ? 1 : 0));
  return d;
}

Result<ImapDate> parse_imap_date(std::string_view text) {
  size_t dash = text.find('-');
  if (dash == std::string_view::npos) return make_error("Invalid date");
  std::string_view day = text.substr(0, dash);
  if (day.size() == 2 && day[0] == ' ') day.remove_prefix(1);
  return parse_date_parts(day, text.substr(dash));
}

Result<ImapDateTime> parse_imap_datetime(std::string_view text) {
  // date-day-fixed "-" date-month "-" date-year SP time SP zone: 26 octets.
  if (text.size() != 26 || text[11] != ' ' || text[20] != ' ')
    return make_error("Invalid date-time");
  std::string_view day = text.substr(0, 2);
  if (day[0] == ' ') day.remove_prefix(1);
  auto date = parse_date_parts(day, text.substr(2, 9));
  if (!date) return date.error();
  int hh = 0, mm = 0, ss = 0, zh = 0, zm = 0;
  std::string_view time = text.substr(12, 8);
  if (time[2] != ':' || time[5] != ':' || !digits(time.substr(0, 2), 2, hh) ||
      !digits(time.substr(3, 2), 2, mm) || !digits(time.substr(6, 2), 2, ss) || hh > 23 ||
      mm > 59 || ss > 60)
    return make_error("Invalid date-time");
  std::string_view zone = text.substr(21);
  if ((zone[0] != '+' && zone[0] != '-') || !digits(zone.substr(1, 2), 2, zh) ||
      !digits(zone.substr(3, 2), 2, zm) || zm > 59)
    return make_error("Invalid date-time");
  ImapDateTime out;
  out.zone_minutes = (zh * 60 + zm) * (zone[0] == '-' ? -1 : 1);
  if (ss == 60) ss = 59;  // a leap second: the clock has no place for it
  out.unix_time = days_from_civil(*date) * kSecondsPerDay + hh * 3600 + mm * 60 + ss -
                  int64_t(out.zone_minutes) * 60;
  return out;
}

std::string format_imap_date(const ImapDate& d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d-%s-%04d", d.day, kMonths[size_t(d.month - 1)].data(),
                d.year);
  return buf;
}

std::string format_imap_datetime(int64_t unix_time, int zone_minutes) {
  if (zone_minutes > kMaxZoneMinutes || zone_minutes < -kMaxZoneMinutes) zone_minutes = 0;
  ImapDate d = date_of(unix_time, zone_minutes);
  int64_t t = unix_time + int64_t(zone_minutes) * 60;
  int64_t secs = ((t % kSecondsPerDay) + kSecondsPerDay) % kSecondsPerDay;
  int z = zone_minutes < 0 ? -zone_minutes : zone_minutes;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%02d-%s-%04d %02d:%02d:%02d %c%02d%02d", d.day,
                kMonths[size_t(d.month - 1)].data(), d.year, int(secs / 3600), int(secs / 60 % 60),
                int(secs % 60), zone_minutes < 0 ? '-' : '+', z / 60, z % 60);
  return buf;
}

}  // namespace gm::mail
