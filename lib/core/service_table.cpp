#include "core/service_table.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstdio>
#include <map>

#include "core/durable_file.hpp"
#include "core/logical_lines.hpp"
#include "core/str.hpp"

namespace gm::core {
namespace {

constexpr std::string_view kSpace = " \t";

// Service, listener and user names: they end up in LISTEN_FDNAMES (which
// uses ':' as separator), in log lines and in status output.
bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxServiceNameLength) return false;
  if (!((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

// A program is a plain file name in daemon_directory: no path, no dot files.
bool valid_program(std::string_view program) {
  if (program.empty() || program.size() > kMaxProgramNameLength || program[0] == '.') return false;
  return std::all_of(program.begin(), program.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

bool is_ip_literal(const std::string& host, int family) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(family, host.c_str(), buf) == 1;
}

Result<ListenerSpec> parse_inet(ListenerSpec spec, std::string_view rest) {
  std::string_view host;
  std::string_view port;
  if (rest.starts_with('[')) {
    auto close = rest.find(']');
    if (close == std::string_view::npos) return make_error("missing ']' after IPv6 address");
    host = rest.substr(1, close - 1);
    if (close + 1 >= rest.size() || rest[close + 1] != ':')
      return make_error("expected ':PORT' after ']'");
    port = rest.substr(close + 2);
  } else {
    auto colon = rest.rfind(':');
    if (colon == std::string_view::npos) return make_error("expected inet:HOST:PORT");
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
    if (host.find(':') != std::string_view::npos)
      return make_error("write an IPv6 address in brackets: inet:[::1]:PORT");
  }
  spec.host = std::string(host);
  bool bracketed = rest.starts_with('[');
  if (bracketed ? !is_ip_literal(spec.host, AF_INET6) : !is_ip_literal(spec.host, AF_INET))
    return make_error(str_cat("'", printable(host), "' is not an IP", bracketed ? "v6" : "v4",
                              " address literal"));
  auto number = parse_number<uint32_t>(port);
  if (!number || *number == 0 || *number > 65535)
    return make_error(str_cat("bad port '", printable(port), "' (1-65535)"));
  spec.port = static_cast<uint16_t>(*number);
  return spec;
}

Result<ListenerSpec> parse_unix(ListenerSpec spec, std::string_view rest) {
  // A trailing ":0660" is the socket's mode; octal, 3 or 4 digits.
  if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    std::string_view mode = rest.substr(colon + 1);
    if (mode.size() < 3 || mode.size() > 4 ||
        !std::all_of(mode.begin(), mode.end(), [](char c) { return c >= '0' && c <= '7'; }))
      return make_error(str_cat("bad socket mode '", printable(mode), "' (octal, e.g. 0660)"));
    unsigned value = 0;
    for (char c : mode) value = value * 8 + static_cast<unsigned>(c - '0');
    if (value > 0777) return make_error("socket mode may not set setuid, setgid or sticky bits");
    spec.mode = static_cast<mode_t>(value);
    rest = rest.substr(0, colon);
  }
  if (rest.empty() || rest.front() != '/')
    return make_error(str_cat("unix socket path '", printable(rest), "' is not absolute"));
  if (rest.size() > kMaxUnixSocketPath)
    return make_error(str_cat("unix socket path longer than ", kMaxUnixSocketPath, " bytes"));
  spec.path = std::string(rest);
  return spec;
}

Result<ListenerSpec> parse_listener_word(std::string_view word, const Config& config) {
  auto equals = word.find('=');
  if (equals == std::string_view::npos)
    return make_error(str_cat("listener '", printable(word), "' is not NAME=SPEC"));
  auto expanded = config.expand_text(word.substr(equals + 1));
  if (!expanded) return expanded.error();
  return parse_listener(word.substr(0, equals), *expanded);
}

Result<ServiceSpec> parse_service(const LogicalLine& line, const Config& config) {
  auto words = split(line.text, kSpace);
  if (words.size() < 4) return make_error("expected: service program user limit [listener...]");
  ServiceSpec service;
  service.line = line.line;
  service.name = words[0];
  if (!valid_name(service.name))
    return make_error(str_cat("bad service name '", printable(words[0]),
                              "' (lower case letters, digits, '-' and '_', at most ",
                              kMaxServiceNameLength, ")"));
  service.program = words[1];
  if (!valid_program(service.program))
    return make_error(str_cat("bad program name '", printable(words[1]),
                              "' (a file name in daemon_directory, no '/')"));
  auto user = config.expand_text(words[2] == "-" ? "$unprivileged_user" : words[2]);
  if (!user) return user.error();
  service.user = *user;
  if (!valid_name(service.user))
    return make_error(str_cat("bad user name '", printable(service.user), "'"));
  auto limit = parse_number<int>(words[3]);
  if (!limit || *limit < 1 || *limit > kMaxProcessLimit)
    return make_error(
        str_cat("bad process limit '", printable(words[3]), "' (1-", kMaxProcessLimit, ")"));
  service.limit = *limit;
  if (words.size() - 4 > kMaxListenersPerService)
    return make_error(str_cat("more than ", kMaxListenersPerService, " listeners"));
  for (size_t i = 4; i < words.size(); ++i) {
    auto listener = parse_listener_word(words[i], config);
    if (!listener) return listener.error();
    for (const ListenerSpec& other : service.listeners)
      if (other.name == listener->name)
        return make_error(str_cat("duplicate listener name '", listener->name, "'"));
    service.listeners.push_back(std::move(*listener));
  }
  return service;
}

}  // namespace

std::string ListenerSpec::address() const {
  if (kind == ListenerKind::kUnix) return str_cat("unix:", path);
  if (host.find(':') != std::string::npos) return str_cat("inet:[", host, "]:", port);
  return str_cat("inet:", host, ":", port);
}

std::string ListenerSpec::describe() const {
  if (kind == ListenerKind::kInet) return str_cat(name, "=", address());
  char mode_text[8];
  snprintf(mode_text, sizeof mode_text, "%04o", static_cast<unsigned>(mode));
  return str_cat(name, "=", address(), ":", mode_text);
}

bool ServiceSpec::same_definition(const ServiceSpec& other) const {
  return name == other.name && program == other.program && user == other.user &&
         limit == other.limit && listeners == other.listeners;
}

const ServiceSpec* ServiceTable::find(std::string_view name) const {
  for (const ServiceSpec& service : services)
    if (service.name == name) return &service;
  return nullptr;
}

Result<ListenerSpec> parse_listener(std::string_view name, std::string_view spec) {
  ListenerSpec listener;
  listener.name = std::string(name);
  if (!valid_name(listener.name))
    return make_error(str_cat("bad listener name '", printable(name), "'"));
  Result<ListenerSpec> parsed = make_error("");
  if (spec.starts_with("inet:")) {
    parsed = parse_inet(std::move(listener), spec.substr(5));
  } else if (spec.starts_with("unix:")) {
    listener.kind = ListenerKind::kUnix;
    parsed = parse_unix(std::move(listener), spec.substr(5));
  } else {
    return make_error(str_cat("listener '", printable(name),
                              "': expected inet:HOST:PORT or unix:PATH[:MODE], got '",
                              printable(spec), "'"));
  }
  if (!parsed) return make_error(str_cat("listener '", name, "': ", parsed.error().message));
  return parsed;
}

Result<ServiceTable> parse_service_table(std::string_view text, std::string_view origin,
                                         const Config& config) {
  if (text.size() > kMaxServiceTableSize)
    return make_error(str_cat(origin, ": larger than ", kMaxServiceTableSize, " bytes"));
  auto lines = logical_lines(text, origin, kMaxServiceLineLength);
  if (!lines) return lines.error();
  ServiceTable table;
  table.file = std::string(origin);
  std::map<std::string, std::string, std::less<>> addresses;  // address -> "service/listener"
  for (const LogicalLine& line : *lines) {
    auto where = str_cat(origin, ":", line.line, ": ");
    auto service = parse_service(line, config);
    if (!service) return make_error(str_cat(where, service.error().message));
    if (const ServiceSpec* previous = table.find(service->name))
      return make_error(
          str_cat(where, "service '", service->name, "' already defined at line ", previous->line));
    if (table.services.size() >= kMaxServices)
      return make_error(str_cat(where, "more than ", kMaxServices, " services"));
    for (const ListenerSpec& listener : service->listeners) {
      auto owner = str_cat(service->name, "/", listener.name);
      auto [it, inserted] = addresses.emplace(listener.address(), owner);
      if (!inserted)
        return make_error(str_cat(where, "listener ", owner, ": address ", listener.address(),
                                  " is already used by ", it->second));
    }
    table.services.push_back(std::move(*service));
  }
  return table;
}

Result<ServiceTable> load_service_table(const Config& config) {
  std::string path = config.path("service_table");
  auto text = read_file(path, kMaxServiceTableSize);
  if (!text) return text.error();
  return parse_service_table(*text, path, config);
}

}  // namespace gm::core
