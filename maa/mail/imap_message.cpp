#include "imap_message.hpp"

#include <array>
#include <cctype>

#include "core/str.hpp"
#include "mail/imap_datetime.hpp"
#include "mail/mime_header.hpp"

namespace gm::maa {

Result<const mail::MimeStructure*> MessageContent::structure() {
  if (structure_) return &*structure_;
  if (error_) return *error_;
  read_file_ = true;
  auto fd = folder_.open_message(record_.uid);
  if (!fd) {
    error_ = fd.error();
    return *error_;
  }
  fd_ = std::move(*fd);
  auto source = mail::MessageSource::file(fd_.get());
  if (!source) {
    error_ = source.error();
    return *error_;
  }
  source_.emplace(std::move(*source));
  auto parsed = mail::parse_mime(*source_);
  if (!parsed) {
    error_ = parsed.error();
    return *error_;
  }
  structure_.emplace(std::move(*parsed));
  return &*structure_;
}

const mail::CachedHeader* MessageContent::cached_header() {
  if (headers_ == nullptr) return nullptr;
  if (!cache_tried_) {
    cache_tried_ = true;
    bool read = false;
    cached_ = headers_->get(folder_, record_, &read);
    read_file_ = read_file_ || read;
  }
  return cached_.get();
}

std::optional<std::string> MessageContent::header(std::string_view name) {
  if (const mail::CachedHeader* cached = cached_header()) {
    if (!cached_fields_) cached_fields_ = cached->fields();
    const auto* field = mail::find_field(*cached_fields_, name);
    return field ? std::optional<std::string>(field->value) : std::nullopt;
  }
  auto s = structure();
  if (!s) return std::nullopt;
  const auto* field = mail::find_field((*s)->root.envelope_fields, name);
  if (field == nullptr) return std::nullopt;
  return field->value;
}

namespace {

constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                      "jul", "aug", "sep", "oct", "nov", "dec"};

// RFC 5322 4.3 obsolete zones.
std::optional<int> zone_offset(std::string_view zone) {
  if (zone.size() == 5 && (zone[0] == '+' || zone[0] == '-')) {
    auto hhmm = parse_number<int>(zone.substr(1));
    if (!hhmm) return std::nullopt;
    int minutes = (*hhmm / 100) * 60 + *hhmm % 100;
    return zone[0] == '-' ? -minutes : minutes;
  }
  struct Named {
    std::string_view name;
    int hours;
  };
  static constexpr Named kNamed[] = {{"UT", 0},   {"GMT", 0},  {"EST", -5}, {"EDT", -4},
                                     {"CST", -6}, {"CDT", -5}, {"MST", -7}, {"MDT", -6},
                                     {"PST", -8}, {"PDT", -7}, {"Z", 0}};
  for (const auto& n : kNamed)
    if (iequals(zone, n.name)) return n.hours * 60;
  return 0;  // RFC 5322 4.3: unknown zones are treated as +0000
}

}  // namespace

std::optional<HeaderDate> parse_header_date(std::string_view value) {
  std::string text(value);
  for (char& c : text)
    if (c == ',' || c == '\t') c = ' ';
  auto words = split(text, " ");
  size_t i = 0;
  if (i < words.size() && !words[i].empty() &&
      std::isalpha(static_cast<unsigned char>(words[i][0])))
    ++i;  // day of week
  if (i + 4 > words.size()) return std::nullopt;
  auto day = parse_number<int>(words[i]);
  std::string month = to_lower(words[i + 1]).substr(0, 3);
  auto year = parse_number<int>(words[i + 2]);
  const std::string& time = words[i + 3];
  int m = 0;
  while (m < 12 && kMonths[m] != month) ++m;
  if (!day || !year || m == 12 || *day < 1 || *day > 31) return std::nullopt;
  if (*year < 50)
    *year += 2000;  // RFC 5322 4.3: two-digit years
  else if (*year < 1000)
    *year += 1900;
  auto parts = split(time, ":");
  if (parts.size() < 2 || parts.size() > 3) return std::nullopt;
  auto hh = parse_number<int>(parts[0]);
  auto mm = parse_number<int>(parts[1]);
  auto ss = parts.size() == 3 ? parse_number<int>(parts[2]) : std::optional<int>(0);
  if (!hh || !mm || !ss || *hh > 23 || *mm > 59 || *ss > 60) return std::nullopt;
  int zone = 0;
  if (i + 4 < words.size()) zone = zone_offset(words[i + 4]).value_or(0);
  int64_t days = mail::days_from_civil(mail::ImapDate{*year, m + 1, *day});
  HeaderDate date;
  date.zone_minutes = zone;
  date.unix_time = days * 86400 + *hh * 3600 + *mm * 60 + *ss - int64_t(zone) * 60;
  return date;
}

}  // namespace gm::maa
