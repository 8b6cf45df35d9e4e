#include "core/config.hpp"

#include <cerrno>
#include <cstring>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <stdexcept>

#include "core/config_value.hpp"
#include "core/durable_file.hpp"
#include "core/logical_lines.hpp"
#include "core/str.hpp"

namespace gm::core {
namespace {

const KeySpec* find_spec(std::span<const KeySpec> schema, std::string_view key) {
  for (const KeySpec& spec : schema)
    if (spec.name == key) return &spec;
  return nullptr;
}

bool valid_key_name(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

Status check_value(KeyType type, std::string_view value) {
  switch (type) {
    case KeyType::kString:
    case KeyType::kPath:
    case KeyType::kList:
      return {};
    case KeyType::kInteger:
      if (auto r = parse_integer(value); !r) return r.error();
      return {};
    case KeyType::kBool:
      if (auto r = parse_bool(value); !r) return r.error();
      return {};
    case KeyType::kDuration:
      if (auto r = parse_duration(value); !r) return r.error();
      return {};
    case KeyType::kSize:
      if (auto r = parse_size(value); !r) return r.error();
      return {};
  }
  return {};
}

}  // namespace

std::string_view key_type_name(KeyType type) {
  switch (type) {
    case KeyType::kString: return "string";
    case KeyType::kPath: return "path";
    case KeyType::kInteger: return "integer";
    case KeyType::kBool: return "boolean";
    case KeyType::kDuration: return "duration";
    case KeyType::kSize: return "size";
    case KeyType::kList: return "list";
  }
  return "?";
}

Result<Config> Config::load(const std::string& path) {
  auto text = read_file(path, kMaxConfigFileSize);
  if (!text) return text.error();
  std::error_code error;
  auto absolute = std::filesystem::absolute(path, error);
  if (error) return make_error(str_cat(path, ": ", error.message()));
  std::string dir = absolute.lexically_normal().parent_path().string();
  return parse(*text, path, dir);
}

Result<Config> Config::parse(std::string_view text, std::string_view origin,
                             std::string_view config_dir, std::span<const KeySpec> schema) {
  Config config;
  config.schema_ = schema;
  config.file_ = std::string(origin);
  config.config_dir_ = std::string(config_dir);
  auto lines = logical_lines(text, origin, kMaxConfigLineLength);
  if (!lines) return lines.error();
  for (const LogicalLine& line : *lines) {
    auto where = str_cat(origin, ":", line.line, ": ");
    auto equals = line.text.find('=');
    if (equals == std::string::npos)
      return make_error(str_cat(where, "expected 'key = value'"));
    std::string key(trim(std::string_view(line.text).substr(0, equals)));
    std::string value(trim(std::string_view(line.text).substr(equals + 1)));
    if (!valid_key_name(key))
      return make_error(str_cat(where, "bad key name '", printable(key), "'"));
    const KeySpec* spec = find_spec(schema, key);
    if (spec == nullptr) return make_error(str_cat(where, "unknown key '", key, "'"));
    if (auto previous = config.settings_.find(key); previous != config.settings_.end())
      return make_error(str_cat(where, "'", key, "' already set at line ", previous->second.line));
    config.settings_[key] = Setting{value, line.line};
  }
  // Validate every value after expansion, so "$other" references are checked too.
  for (const KeySpec& spec : schema) {
    auto expanded = config.expand(config.raw(spec.name), 0);
    auto where = config.is_set(spec.name) ? config.origin(spec.name) + ": "
                                          : str_cat(origin, ": default of ");
    if (!expanded) return make_error(str_cat(where, spec.name, ": ", expanded.error().message));
    if (auto status = check_value(spec.type, *expanded); !status)
      return make_error(str_cat(where, spec.name, ": ", status.error().message));
  }
  return config;
}

const KeySpec& Config::spec(std::string_view key) const {
  const KeySpec* spec = find_spec(schema_, key);
  if (spec == nullptr) throw std::logic_error(str_cat("config key not in schema: ", key));
  return *spec;
}

bool Config::is_set(std::string_view key) const { return settings_.contains(key); }

std::string Config::raw(std::string_view key) const {
  if (auto it = settings_.find(key); it != settings_.end()) return it->second.value;
  if (key == "config_dir") return config_dir_;
  return std::string(spec(key).default_value);
}

std::string Config::origin(std::string_view key) const {
  if (auto it = settings_.find(key); it != settings_.end())
    return str_cat(file_, ":", it->second.line);
  return "default";
}

Result<std::string> Config::expand(std::string_view value, int depth) const {
  if (depth > kMaxExpansionDepth) return make_error("$name references nested too deeply");
  std::string out;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '$') {
      out.push_back(value[i]);
      continue;
    }
    size_t start = i + 1;
    bool braced = start < value.size() && value[start] == '{';
    if (braced) ++start;
    size_t end = start;
    while (end < value.size() && (std::isalnum(static_cast<unsigned char>(value[end])) ||
                                  value[end] == '_'))
      ++end;
    std::string_view name = value.substr(start, end - start);
    if (braced && (end >= value.size() || value[end] != '}'))
      return make_error("unterminated ${");
    if (name == "$") {
      out.push_back('$');
      continue;
    }
    if (name != "config_dir" && find_spec(schema_, name) == nullptr)
      return make_error(str_cat("reference to unknown key $", printable(name)));
    auto inner = expand(raw(name), depth + 1);
    if (!inner) return inner.error();
    out += *inner;
    i = braced ? end : end - 1;
  }
  return out;
}

std::string Config::expanded(std::string_view key) const {
  auto value = expand(raw(key), 0);
  if (!value) throw std::logic_error("config value failed expansion after validation");
  return *value;
}

std::string Config::string(std::string_view key) const { return expanded(key); }

std::string Config::path(std::string_view key) const {
  std::string value = expanded(key);
  if (value.empty() || value.front() == '/') return value;
  return str_cat(config_dir_, "/", value);
}

int64_t Config::integer(std::string_view key) const { return *parse_integer(expanded(key)); }
bool Config::boolean(std::string_view key) const { return *parse_bool(expanded(key)); }
std::chrono::milliseconds Config::duration(std::string_view key) const {
  return *parse_duration(expanded(key));
}
std::chrono::seconds Config::seconds(std::string_view key) const {
  return std::chrono::duration_cast<std::chrono::seconds>(duration(key));
}
uint64_t Config::size(std::string_view key) const { return *parse_size(expanded(key)); }
std::vector<std::string> Config::list(std::string_view key) const {
  return parse_list(expanded(key));
}

}  // namespace gm::core
