#include "core/service_status.hpp"

#include "core/str.hpp"

namespace gm::core {
namespace {

constexpr int kFields = 6;

bool is_token(std::string_view word) {
  if (word.empty()) return false;
  for (char c : word)
    if (c <= ' ' || c > '~') return false;
  return true;
}

std::string join_or_dash(const std::vector<std::string>& items) {
  if (items.empty()) return "-";
  std::string out;
  for (const std::string& item : items) out += out.empty() ? item : "," + item;
  return out;
}

// "-" or items separated by single commas; an empty item or a "-" among
// items is malformed (it could not be written back the same way).
Result<std::vector<std::string>> split_list(std::string_view field) {
  std::vector<std::string> items;
  if (field == "-") return items;
  size_t start = 0;
  for (;;) {
    size_t comma = field.find(',', start);
    std::string_view item =
        field.substr(start, comma == std::string_view::npos ? field.npos : comma - start);
    if (item.empty() || item == "-") return make_error("malformed list in status line");
    if (items.size() >= kMaxStatusListItems) return make_error("too many list items");
    items.emplace_back(item);
    if (comma == std::string_view::npos) return items;
    start = comma + 1;
  }
}

Result<int64_t> parse_count(std::string_view field, bool dash_allowed) {
  if (dash_allowed && field == "-") return int64_t{-1};
  auto value = parse_number<int64_t>(field);
  if (!value || *value < 0) return make_error(str_cat("bad number '", printable(field), "'"));
  return *value;
}

}  // namespace

std::string format_status_line(const ServiceStatus& status) {
  std::vector<std::string> pids;
  for (pid_t pid : status.pids) pids.push_back(str_cat(static_cast<int64_t>(pid)));
  std::string uptime = status.uptime_seconds < 0 ? "-" : str_cat(status.uptime_seconds);
  return str_cat(status.name, " ", status.state, " ", join_or_dash(pids), " ", uptime, " ",
                 status.restarts, " ", join_or_dash(status.listeners));
}

Result<ServiceStatus> parse_status_line(std::string_view line) {
  if (line.size() > kMaxStatusLineLength) return make_error("status line too long");
  auto fields = split(line, " ");
  if (fields.size() != kFields)
    return make_error(str_cat("expected ", kFields, " fields in '", printable(line), "'"));
  for (const std::string& field : fields)
    if (!is_token(field)) return make_error("control byte in status line");
  ServiceStatus status;
  status.name = fields[0];
  status.state = fields[1];
  auto pids = split_list(fields[2]);
  if (!pids) return pids.error();
  for (const std::string& text : *pids) {
    auto pid = parse_number<pid_t>(text);
    if (!pid || *pid <= 0) return make_error(str_cat("bad pid '", printable(text), "'"));
    status.pids.push_back(*pid);
  }
  auto uptime = parse_count(fields[3], true);
  if (!uptime) return uptime.error();
  status.uptime_seconds = *uptime;
  auto restarts = parse_count(fields[4], false);
  if (!restarts) return restarts.error();
  status.restarts = *restarts;
  auto listeners = split_list(fields[5]);
  if (!listeners) return listeners.error();
  status.listeners = std::move(*listeners);
  return status;
}

}  // namespace gm::core
