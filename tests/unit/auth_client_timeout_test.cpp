// AuthClient when authd is down but its socket is still held (gm-master
// keeps the listener while it restarts authd): connects succeed, nothing
// answers, and every request must end in a temporary failure, not wait.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <optional>

#include "auth/auth_client.hpp"
#include "net/listen_socket.hpp"

namespace gm::auth {
namespace {

using namespace std::chrono_literals;

class AuthClientTimeoutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/gm-authclient-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/authd.sock";
    auto fd = net::bind_unix(path_, 0600, 16);  // listening; never accepted
    ASSERT_TRUE(fd.ok());
    held_ = std::move(*fd);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_, path_;
  UniqueFd held_;
};

TEST_F(AuthClientTimeoutTest, SilentAuthdFailsExchangesAndMechanismsTemporarily) {
  net::EventLoop loop;
  AuthClient client(loop, path_, 300ms);
  std::optional<AuthStep> step;
  std::optional<Result<std::vector<std::string>>> mechs;
  auto maybe_stop = [&] {
    if (step && mechs) loop.stop();
  };
  AuthStart start;
  start.mechanism = "PLAIN";
  start.service = "smtp";
  start.initial_response = std::string("\0a\0b", 4);
  auto begun = std::chrono::steady_clock::now();
  client.start(start, [&](AuthStep s) {
    step = std::move(s);
    maybe_stop();
  });
  client.mechanisms(true, false, [&](Result<std::vector<std::string>> m) {
    mechs = std::move(m);
    maybe_stop();
  });
  net::Timer guard(loop, [&] { loop.stop(); });
  guard.start(5s);
  loop.run();
  auto waited = std::chrono::steady_clock::now() - begun;
  ASSERT_TRUE(step.has_value());
  EXPECT_EQ(step->kind, AuthStep::Kind::kTemporaryFailure);
  ASSERT_TRUE(mechs.has_value());
  EXPECT_FALSE(mechs->ok());
  EXPECT_GE(waited, 300ms);
  EXPECT_LT(waited, 4s);
}

}  // namespace
}  // namespace gm::auth
