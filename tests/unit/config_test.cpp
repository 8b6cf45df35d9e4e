#include "core/config.hpp"

#include <gtest/gtest.h>

#include "core/config_value.hpp"

namespace gm::core {
namespace {

using namespace std::chrono_literals;

Result<Config> parse(std::string_view text) { return Config::parse(text, "gm.conf", "/etc/gm"); }

TEST(ConfigValue, DurationsTakeUnits) {
  EXPECT_EQ(*parse_duration("30s"), 30s);
  EXPECT_EQ(*parse_duration("5m"), 5min);
  EXPECT_EQ(*parse_duration("5d"), 120h);
  EXPECT_EQ(*parse_duration("1w"), 168h);
  EXPECT_EQ(*parse_duration("250ms"), 250ms);
  EXPECT_EQ(*parse_duration("2h"), 2h);
  EXPECT_EQ(*parse_duration("45"), 45s);
}

TEST(ConfigValue, DurationRejectsJunk) {
  for (auto bad : {"", "s", "-5s", "5x", "5 s s", "1.5s", "99999999999999999999d"})
    EXPECT_FALSE(parse_duration(bad).ok()) << bad;
}

TEST(ConfigValue, SizesAreBinaryMultiples) {
  EXPECT_EQ(*parse_size("512"), 512u);
  EXPECT_EQ(*parse_size("64K"), 65536u);
  EXPECT_EQ(*parse_size("10M"), 10u << 20);
  EXPECT_EQ(*parse_size("2g"), 2ull << 30);
  for (auto bad : {"", "M", "10Q", "-1", "1e6", "99999999999999999999T"})
    EXPECT_FALSE(parse_size(bad).ok()) << bad;
}

TEST(ConfigValue, BooleansAndLists) {
  EXPECT_TRUE(*parse_bool("yes"));
  EXPECT_TRUE(*parse_bool("On"));
  EXPECT_FALSE(*parse_bool("false"));
  EXPECT_FALSE(parse_bool("maybe").ok());
  EXPECT_EQ(parse_list("a, b c,,d"), (std::vector<std::string>{"a", "b", "c", "d"}));
}

TEST(Config, ParsesKeysCommentsAndContinuations) {
  auto config = parse(
      "# a comment\n"
      "mydomain = example.test\n"
      "\n"
      "auth_mechanisms = SCRAM-SHA-256\n"
      "    PLAIN\n"
      "idle_timeout=30s\r\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->string("mydomain"), "example.test");
  EXPECT_EQ(config->list("auth_mechanisms"), (std::vector<std::string>{"SCRAM-SHA-256", "PLAIN"}));
  EXPECT_EQ(config->duration("idle_timeout"), 30s);
  EXPECT_EQ(config->origin("mydomain"), "gm.conf:2");
  EXPECT_EQ(config->origin("run_dir"), "default");
}

TEST(Config, DefaultsApplyAndExpandReferences) {
  auto config = parse("data_dir = /srv/gm\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->path("mail_dir"), "/srv/gm/mail");
  EXPECT_EQ(config->path("service_table"), "/etc/gm/services.conf");
  EXPECT_EQ(config->integer("auth_failure_limit"), 5);
}

TEST(Config, RelativePathsResolveAgainstConfigDir) {
  auto config = parse("run_dir = run\n");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->path("run_dir"), "/etc/gm/run");
}

void expect_error(std::string_view text, std::string_view fragment) {
  auto config = parse(text);
  ASSERT_FALSE(config.ok()) << text;
  EXPECT_NE(config.error().message.find(fragment), std::string::npos)
      << "got: " << config.error().message;
}

TEST(Config, ErrorsNameFileLineAndReason) {
  expect_error("mydomain = a\nno_such_key = 1\n", "gm.conf:2: unknown key 'no_such_key'");
  expect_error("idle_timeout = soon\n", "gm.conf:1: idle_timeout: not a duration");
  expect_error("default_quota = lots\n", "gm.conf:1: default_quota: not a size");
  expect_error("log_stderr = perhaps\n", "gm.conf:1: log_stderr: not a boolean");
  expect_error("auth_failure_limit = five\n", "gm.conf:1: auth_failure_limit: not an integer");
  expect_error("mydomain\n", "gm.conf:1: expected 'key = value'");
  expect_error("  indented = 1\n", "gm.conf:1: continuation line with nothing to continue");
  expect_error("mydomain = a\nmydomain = b\n", "gm.conf:2: 'mydomain' already set at line 1");
  expect_error("Bad-Key = 1\n", "gm.conf:1: bad key name");
  expect_error("mydomain = $nope\n", "reference to unknown key $nope");
  expect_error("mydomain = ${mydomain\n", "unterminated ${");
  expect_error("mydomain = $mydomain\n", "nested too deeply");
  expect_error(std::string("mydomain = a\0b\n", 15), "NUL byte");
  expect_error("mydomain = " + std::string(kMaxConfigLineLength + 1, 'x') + "\n", "line longer than");
}

TEST(Config, BadValueReachedThroughReferenceIsAnError) {
  expect_error("mydomain = soon\nidle_timeout = $mydomain\n", "idle_timeout: not a duration");
}

TEST(Config, MissingFileIsAnError) {
  auto config = Config::load("/nonexistent/gm.conf");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("/nonexistent/gm.conf"), std::string::npos);
}

}  // namespace
}  // namespace gm::core
