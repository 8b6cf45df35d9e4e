#include "core/service_table.hpp"

#include <gtest/gtest.h>

#include "core/config.hpp"

namespace gm::core {
namespace {

Config test_config() {
  auto config = Config::parse(
      "run_dir = /run/gm\n"
      "unprivileged_user = gmuser\n"
      "auth_socket = $run_dir/auth.sock\n",
      "gm.conf", "/etc/gm");
  EXPECT_TRUE(config.ok());
  return *config;
}

Result<ServiceTable> parse(std::string_view text) {
  return parse_service_table(text, "services.conf", test_config());
}

std::string error_of(std::string_view text) {
  auto table = parse(text);
  EXPECT_FALSE(table.ok()) << text;
  return table.ok() ? std::string() : table.error().message;
}

TEST(ServiceTable, ParsesServicesCommentsAndContinuations) {
  auto table = parse(
      "# service  program  user  limit  listeners\n"
      "authd  authd  -  1  auth=unix:$auth_socket:0666 admin=unix:${run_dir}/admin.sock\n"
      "\n"
      "msa    msa    mailer 2  submission=inet:127.0.0.1:587\n"
      "   # a comment inside\n"
      "       submissions=inet:[::1]:465\n"
      "qmgr   qmgr   -  1\n");
  ASSERT_TRUE(table.ok()) << table.error().message;
  ASSERT_EQ(table->services.size(), 3u);
  const ServiceSpec& authd = table->services[0];
  EXPECT_EQ(authd.name, "authd");
  EXPECT_EQ(authd.user, "gmuser");
  EXPECT_EQ(authd.line, 2);
  ASSERT_EQ(authd.listeners.size(), 2u);
  EXPECT_EQ(authd.listeners[0].kind, ListenerKind::kUnix);
  EXPECT_EQ(authd.listeners[0].path, "/run/gm/auth.sock");
  EXPECT_EQ(authd.listeners[0].mode, 0666u);
  EXPECT_EQ(authd.listeners[1].path, "/run/gm/admin.sock");
  EXPECT_EQ(authd.listeners[1].mode, 0600u);  // the default
  const ServiceSpec& msa = table->services[1];
  EXPECT_EQ(msa.user, "mailer");
  EXPECT_EQ(msa.limit, 2);
  ASSERT_EQ(msa.listeners.size(), 2u);
  EXPECT_EQ(msa.listeners[0].host, "127.0.0.1");
  EXPECT_EQ(msa.listeners[0].port, 587);
  EXPECT_EQ(msa.listeners[1].host, "::1");
  EXPECT_EQ(msa.listeners[1].port, 465);
  EXPECT_EQ(msa.listeners[1].describe(), "submissions=inet:[::1]:465");
  EXPECT_EQ(authd.listeners[0].describe(), "auth=unix:/run/gm/auth.sock:0666");
  EXPECT_TRUE(table->services[2].listeners.empty());
}

TEST(ServiceTable, EmptyTableIsValid) {
  auto table = parse("# nothing yet\n\n");
  ASSERT_TRUE(table.ok());
  EXPECT_TRUE(table->services.empty());
}

TEST(ServiceTable, ErrorsNameFileLineAndReason) {
  EXPECT_EQ(error_of("\n\nmsa msa - 1 smtp=inet:127.0.0.1:99999\n"),
            "services.conf:3: listener 'smtp': bad port '99999' (1-65535)");
}

TEST(ServiceTable, RejectsBadListenerSpecs) {
  for (auto bad : {"x=tcp:127.0.0.1:25", "x=inet:localhost:25", "x=inet:127.0.0.1", "x=inet:::1:25",
                   "x=inet:[::1:25", "x=inet:[::1]25", "x=inet:[127.0.0.1]:25",
                   "x=unix:relative.sock", "x=unix:/run/x.sock:999", "x=unix:/run/x.sock:7777",
                   "noequals", "=inet:127.0.0.1:25", "X=inet:127.0.0.1:25"}) {
    auto message = error_of(std::string("svc prog - 1 ") + bad);
    EXPECT_TRUE(message.starts_with("services.conf:1: ")) << bad << ": " << message;
  }
  EXPECT_NE(error_of("svc prog - 1 x=unix:/" + std::string(200, 'a')).find("longer than 107"),
            std::string::npos);
}

TEST(ServiceTable, RejectsBadPorts) {
  for (auto bad : {"0", "65536", "-1", "25x", "", "0x19"})
    EXPECT_NE(error_of(std::string("svc prog - 1 x=inet:127.0.0.1:") + bad).find("bad port"),
              std::string::npos)
        << bad;
}

TEST(ServiceTable, RejectsDuplicateServices) {
  EXPECT_EQ(error_of("a prog - 1\nb prog - 1\na other - 1\n"),
            "services.conf:3: service 'a' already defined at line 1");
}

TEST(ServiceTable, RejectsDuplicateListenerNames) {
  EXPECT_EQ(error_of("a prog - 1 x=inet:127.0.0.1:1 x=inet:127.0.0.1:2\n"),
            "services.conf:1: duplicate listener name 'x'");
}

TEST(ServiceTable, RejectsOneAddressTwice) {
  EXPECT_EQ(error_of("a prog - 1 x=inet:127.0.0.1:25\nb prog - 1 y=inet:127.0.0.1:25\n"),
            "services.conf:2: listener b/y: address inet:127.0.0.1:25 is already used by a/x");
  EXPECT_NE(error_of("a prog - 1 x=unix:/r/s y=unix:/r/s:0666\n").find("already used"),
            std::string::npos);
}

TEST(ServiceTable, RejectsUnknownKeyExpansion) {
  EXPECT_EQ(error_of("a prog - 1 x=unix:$no_such_key/x.sock\n"),
            "services.conf:1: reference to unknown key $no_such_key");
}

TEST(ServiceTable, RejectsOverlongLines) {
  std::string line = "a prog - 1 " + std::string(kMaxServiceLineLength, 'x') + "\n";
  EXPECT_EQ(error_of(line), "services.conf:1: line longer than 4096 bytes");
  std::string continued = "a prog - 1\n";
  for (int i = 0; i < 3; ++i) continued += "  " + std::string(2000, 'y') + "\n";
  EXPECT_NE(error_of(continued).find("services.conf:4: definition longer than"),
            std::string::npos);
}

TEST(ServiceTable, RejectsBadColumns) {
  EXPECT_NE(error_of("a prog -\n").find("expected: service program user limit"), std::string::npos);
  EXPECT_NE(error_of("A prog - 1\n").find("bad service name"), std::string::npos);
  EXPECT_NE(error_of("a ../bin/sh - 1\n").find("bad program name"), std::string::npos);
  EXPECT_NE(error_of("a .hidden - 1\n").find("bad program name"), std::string::npos);
  EXPECT_NE(error_of("a prog Root 1\n").find("bad user name"), std::string::npos);
  for (auto limit : {"0", "33", "x", "-1"})
    EXPECT_NE(error_of(std::string("a prog - ") + limit).find("bad process limit"),
              std::string::npos)
        << limit;
  EXPECT_NE(error_of("  a prog - 1\n").find("continuation line with nothing to continue"),
            std::string::npos);
  EXPECT_NE(error_of(std::string("a prog - 1\0\n", 12)).find("NUL"), std::string::npos);
}

TEST(ServiceTable, RejectsTooManyServicesAndListeners) {
  std::string many;
  for (size_t i = 0; i <= kMaxServices; ++i) many += "s" + std::to_string(i) + " prog - 1\n";
  EXPECT_NE(error_of(many).find("more than 64 services"), std::string::npos);
  std::string listeners = "a prog - 1";
  for (size_t i = 0; i <= kMaxListenersPerService; ++i)
    listeners += " l" + std::to_string(i) + "=inet:127.0.0.1:" + std::to_string(1000 + i);
  EXPECT_NE(error_of(listeners).find("more than 16 listeners"), std::string::npos);
}

TEST(ServiceTable, SameDefinitionIgnoresTheLine) {
  auto first = parse("a prog - 1 x=inet:127.0.0.1:25\n");
  auto second = parse("\n\na prog - 1 x=inet:127.0.0.1:25\n");
  auto moved = parse("a prog - 1 x=inet:127.0.0.1:26\n");
  ASSERT_TRUE(first.ok() && second.ok() && moved.ok());
  EXPECT_TRUE(first->services[0].same_definition(second->services[0]));
  EXPECT_FALSE(first->services[0].same_definition(moved->services[0]));
}

TEST(ServiceTable, RepositorySampleParses) {
  auto config = Config::parse("", "gm.conf", GM_SOURCE_DIR "/etc");
  ASSERT_TRUE(config.ok());
  auto table = load_service_table(*config);
  ASSERT_TRUE(table.ok()) << table.error().message;
  EXPECT_NE(table->find("authd"), nullptr);
}

}  // namespace
}  // namespace gm::core
