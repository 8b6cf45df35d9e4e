// gm.conf: "key = value" lines, '#' comment lines, and continuation lines
// that start with whitespace (as in Postfix's main.cf). Every key is declared
// in the schema (config_keys.cpp) with its type and default; an unknown key,
// a bad value or an unreadable file is an error naming file:line, and the
// caller starts nothing. Values may refer to other keys as $name or ${name}.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace gm::core {

enum class KeyType { kString, kPath, kInteger, kBool, kDuration, kSize, kList };

struct KeySpec {
  std::string_view name;
  KeyType type;
  std::string_view default_value;
  std::string_view summary;  // one line; gm.conf(5) has the full text
};

// Every key the suite knows, in gm.conf(5)'s order.
std::span<const KeySpec> config_keys();
std::string_view key_type_name(KeyType type);

// Limits on the file itself, so a wrong path (a log, /dev/zero) fails fast.
inline constexpr size_t kMaxConfigFileSize = 1 << 20;
inline constexpr size_t kMaxConfigLineLength = 16 * 1024;
inline constexpr int kMaxExpansionDepth = 10;

class Config {
 public:
  // Reads and validates a file against the suite's schema.
  static Result<Config> load(const std::string& path);
  // Parses text; origin names it in errors ("gm.conf"). Relative paths are
  // resolved against config_dir, the directory holding the file.
  static Result<Config> parse(std::string_view text, std::string_view origin,
                              std::string_view config_dir,
                              std::span<const KeySpec> schema = config_keys());

  // Typed getters; the key must be in the schema with that type (a
  // programming error otherwise). Values were validated by parse().
  std::string string(std::string_view key) const;
  std::string path(std::string_view key) const;  // absolute, $-expanded
  int64_t integer(std::string_view key) const;
  bool boolean(std::string_view key) const;
  std::chrono::milliseconds duration(std::string_view key) const;
  std::chrono::seconds seconds(std::string_view key) const;
  uint64_t size(std::string_view key) const;
  std::vector<std::string> list(std::string_view key) const;

  bool is_set(std::string_view key) const;       // given in the file
  std::string raw(std::string_view key) const;   // as written, unexpanded
  std::string origin(std::string_view key) const;  // "file:line" or "default"
  // Expands $name / ${name} references to this file's keys in any text (the
  // service table uses it); an unknown key is an error naming it.
  Result<std::string> expand_text(std::string_view text) const { return expand(text, 0); }
  const std::string& file() const { return file_; }
  const std::string& config_dir() const { return config_dir_; }
  std::span<const KeySpec> schema() const { return schema_; }

 private:
  struct Setting {
    std::string value;
    int line = 0;
  };
  const KeySpec& spec(std::string_view key) const;
  Result<std::string> expand(std::string_view value, int depth) const;
  std::string expanded(std::string_view key) const;

  std::span<const KeySpec> schema_;
  std::map<std::string, Setting, std::less<>> settings_;
  std::string file_;
  std::string config_dir_;
};

}  // namespace gm::core
