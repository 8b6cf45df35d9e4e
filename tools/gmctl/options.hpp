// Words and --name value options of one gmctl command, parsed strictly:
// an option given without its value, or twice, is a usage error.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gm::gmctl {

class Options {
 public:
  explicit Options(const std::vector<std::string>& args);
  // The n-th positional word, or "".
  std::string word(size_t n) const { return n < words_.size() ? words_[n] : std::string(); }
  size_t word_count() const { return words_.size(); }
  // The value of --name VALUE or --name=VALUE; marks the option as known.
  std::string value(std::string_view name, std::string_view fallback = "");
  bool flag(std::string_view name);
  // After all value()/flag() calls: "" or the first problem (unknown option...).
  std::string error() const;

 private:
  std::vector<std::string> words_;
  std::vector<std::pair<std::string, std::string>> options_;  // name, value
  mutable std::vector<std::string> known_;
  std::string error_;
};

}  // namespace gm::gmctl
