#include "net/fd_passing.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

namespace gm::net {
namespace {

std::pair<UniqueFd, UniqueFd> pipe_pair() {
  int fds[2];
  EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

TEST(FdPassing, MessageAndFdArriveTogether) {
  auto pair = seqpacket_pair();
  ASSERT_TRUE(pair.ok());
  auto [read_end, write_end] = pipe_pair();
  ASSERT_TRUE(send_message(pair->first.get(), "GMHANDOFF 1 user=alice", write_end.get()).ok());
  write_end.reset();  // the passed copy keeps the pipe open

  auto got = receive_message(pair->second.get());
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(got->kind, PassedMessage::Kind::kMessage);
  EXPECT_EQ(got->text, "GMHANDOFF 1 user=alice");
  ASSERT_TRUE(got->fd.valid());
  EXPECT_EQ(::fcntl(got->fd.get(), F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
  ASSERT_EQ(::write(got->fd.get(), "x", 1), 1);
  char c = 0;
  ASSERT_EQ(::read(read_end.get(), &c, 1), 1);
  EXPECT_EQ(c, 'x');
}

TEST(FdPassing, MessagesKeepTheirBoundariesAndMayComeWithoutFd) {
  auto pair = seqpacket_pair();
  ASSERT_TRUE(pair.ok());
  ASSERT_TRUE(send_message(pair->first.get(), "done alice").ok());
  ASSERT_TRUE(send_message(pair->first.get(), "done bob").ok());
  auto first = receive_message(pair->second.get());
  auto second = receive_message(pair->second.get());
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->text, "done alice");
  EXPECT_FALSE(first->fd.valid());
  EXPECT_EQ(second->text, "done bob");
}

TEST(FdPassing, NothingWaitingThenPeerClosed) {
  auto pair = seqpacket_pair();
  ASSERT_TRUE(pair.ok());
  auto none = receive_message(pair->second.get());
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->kind, PassedMessage::Kind::kNothingYet);
  pair->first.reset();
  auto closed = receive_message(pair->second.get());
  ASSERT_TRUE(closed.ok());
  EXPECT_EQ(closed->kind, PassedMessage::Kind::kPeerClosed);
}

TEST(FdPassing, RefusesEmptyAndOversizedMessages) {
  auto pair = seqpacket_pair();
  ASSERT_TRUE(pair.ok());
  EXPECT_FALSE(send_message(pair->first.get(), "").ok());
  EXPECT_FALSE(send_message(pair->first.get(), std::string(kMaxPassedMessage + 1, 'a')).ok());
  EXPECT_TRUE(send_message(pair->first.get(), std::string(kMaxPassedMessage, 'a')).ok());
}

TEST(FdPassing, ReceiverRefusesAnOversizedMessage) {
  auto pair = seqpacket_pair();
  ASSERT_TRUE(pair.ok());
  // Written with send() directly: longer than the receiver accepts.
  std::string big(kMaxPassedMessage + 100, 'b');
  ASSERT_EQ(::send(pair->first.get(), big.data(), big.size(), 0), static_cast<ssize_t>(big.size()));
  auto got = receive_message(pair->second.get());
  EXPECT_FALSE(got.ok());
}

TEST(FdPassing, SendToAClosedPeerIsAnErrorNotASignal) {
  auto pair = seqpacket_pair();
  ASSERT_TRUE(pair.ok());
  pair->second.reset();
  EXPECT_FALSE(send_message(pair->first.get(), "hello").ok());
}

}  // namespace
}  // namespace gm::net
