#include "options.hpp"

#include <algorithm>

namespace gm::gmctl {

namespace {
// Options that take no value.
bool is_flag(std::string_view name) {
  return name == "--force" || name == "--yes" || name == "--body" || name == "--consent-recorded";
}
}  // namespace

Options::Options(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (!arg.starts_with("--")) {
      words_.emplace_back(arg);
      continue;
    }
    auto equals = arg.find('=');
    if (equals != std::string_view::npos) {
      options_.emplace_back(std::string(arg.substr(0, equals)),
                            std::string(arg.substr(equals + 1)));
    } else if (is_flag(arg)) {
      options_.emplace_back(std::string(arg), "yes");
    } else if (i + 1 < args.size()) {
      options_.emplace_back(std::string(arg), args[++i]);
    } else {
      error_ = "option " + std::string(arg) + " needs a value";
    }
  }
}

std::string Options::value(std::string_view name, std::string_view fallback) {
  known_.emplace_back(name);
  std::string found(fallback);
  int count = 0;
  for (const auto& [option, value] : options_)
    if (option == name) {
      found = value;
      ++count;
    }
  if (count > 1 && error_.empty()) error_ = "option " + std::string(name) + " given twice";
  return found;
}

bool Options::flag(std::string_view name) {
  return value(name, "") == "yes";
}

std::string Options::error() const {
  if (!error_.empty()) return error_;
  for (const auto& [option, value] : options_)
    if (std::find(known_.begin(), known_.end(), option) == known_.end())
      return "unknown option " + option;
  return "";
}

}  // namespace gm::gmctl
