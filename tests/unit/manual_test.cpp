// Every configuration key is documented in gm.conf(5) (REQUIREMENTS: every
// key in man/man5), and the document names no key the suite lacks.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "core/config.hpp"

namespace {

std::string read_manual() {
  std::ifstream in(std::string(GM_SOURCE_DIR) + "/man/man5/gm.conf.5");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(Manual, EveryConfigKeyIsDocumentedInGmConf5) {
  std::string manual = read_manual();
  ASSERT_FALSE(manual.empty());
  for (const auto& spec : gm::core::config_keys())
    EXPECT_NE(manual.find(".B " + std::string(spec.name) + " \\fR("), std::string::npos)
        << spec.name << " is not documented in man/man5/gm.conf.5";
}

TEST(Manual, GmConf5DocumentsNoUnknownKey) {
  std::string manual = read_manual();
  std::set<std::string> known;
  for (const auto& spec : gm::core::config_keys()) known.insert(std::string(spec.name));
  std::regex entry(R"(\n\.B ([a-z0-9_]+) \\fR\()");
  for (auto it = std::sregex_iterator(manual.begin(), manual.end(), entry);
       it != std::sregex_iterator(); ++it)
    EXPECT_TRUE(known.contains((*it)[1].str())) << (*it)[1].str() << " documented but unknown";
}

}  // namespace
