// The dispatcher's handoff reader: it takes exactly the handoff line from
// the socket, so what the client sent after it reaches the worker.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>

#include "core/config.hpp"
#include "handoff_session.hpp"
#include "mail_context.hpp"
#include "mailbox_test_support.hpp"

namespace gm::maa {
namespace {

class HandoffReaderTest : public ::testing::Test {
 protected:
  HandoffReaderTest()
      : config_(*core::Config::parse("mail_dir = " + mail_.root() + "\n", "gm.conf", "/")),
        ctx_(loop_, config_) {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
    server_.reset(fds[0]);
    client_.reset(fds[1]);
  }

  std::string line_for(const std::string& maildir) {
    mail::MaaHandoff h;
    h.user = "alice@example.test";
    h.maildir = maildir;
    h.client = "192.0.2.1";
    h.tls = "none";
    h.session = "S1";
    h.tag = "a1";
    return mail::format_handoff(h);
  }

  void send(std::string_view bytes) {
    ASSERT_EQ(::write(client_.get(), bytes.data(), bytes.size()),
              static_cast<ssize_t>(bytes.size()));
  }

  // Runs the reader until it is done.
  void run() {
    reader_ = std::make_unique<HandoffReader>(ctx_, std::move(server_),
                                              [this](HandoffReader& r, Result<mail::MaaHandoff> h) {
                                                result_ = std::move(h);
                                                fd_ = r.take_fd();
                                                loop_.stop();
                                              });
    reader_->start();
    if (!result_) loop_.run();
  }

  std::string unread() {
    char buffer[256];
    ssize_t n = ::read(fd_.get(), buffer, sizeof buffer);
    return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : std::string();
  }

  mail::testing::TempMaildir mail_;
  net::EventLoop loop_;
  core::Config config_;
  MailContext ctx_;
  UniqueFd server_, client_, fd_;
  std::unique_ptr<HandoffReader> reader_;
  std::optional<Result<mail::MaaHandoff>> result_;
};

TEST_F(HandoffReaderTest, TakesTheLineAndLeavesTheClientsBytesInTheSocket) {
  send(line_for(mail_.root() + "/example.test/alice") + "A2 SELECT INBOX\r\n");
  run();
  ASSERT_TRUE(result_ && result_->ok()) << (result_ ? result_->error().message : "no result");
  EXPECT_EQ((*result_)->user, "alice@example.test");
  EXPECT_EQ((*result_)->maildir, mail_.root() + "/example.test/alice");  // created
  ASSERT_TRUE(fd_.valid());
  EXPECT_EQ(unread(), "A2 SELECT INBOX\r\n");
}

TEST_F(HandoffReaderTest, ALineInPiecesIsAssembled) {
  std::string line = line_for(mail_.root() + "/example.test/alice");
  send(line.substr(0, 20));
  net::Timer rest(loop_, [&] { send(line.substr(20) + "A2 NOOP\r\n"); });
  rest.start(std::chrono::milliseconds(20));
  run();
  ASSERT_TRUE(result_ && result_->ok());
  EXPECT_EQ(unread(), "A2 NOOP\r\n");
}

TEST_F(HandoffReaderTest, RefusesAMaildirOutsideMailDirAndCloses) {
  send(line_for("/tmp/elsewhere/alice") + "A2 NOOP\r\n");
  run();
  ASSERT_TRUE(result_);
  EXPECT_FALSE(result_->ok());
  EXPECT_FALSE(fd_.valid());
  char c;
  // maa sees the connection closed (reset: its "A2 NOOP" was never read).
  ssize_t n = ::read(client_.get(), &c, 1);
  EXPECT_TRUE(n == 0 || (n < 0 && errno == ECONNRESET)) << n << " " << std::strerror(errno);
}

TEST_F(HandoffReaderTest, RefusesALineThatIsNoHandoff) {
  send("HELLO\r\n");
  run();
  ASSERT_TRUE(result_);
  EXPECT_FALSE(result_->ok());
}

TEST_F(HandoffReaderTest, RefusesAnEndlessLine) {
  send(std::string(mail::kMaxHandoffLine + 10, 'x'));
  run();
  ASSERT_TRUE(result_);
  EXPECT_FALSE(result_->ok());
}

}  // namespace
}  // namespace gm::maa
