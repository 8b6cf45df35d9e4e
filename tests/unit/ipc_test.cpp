#include "net/ipc.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cstdlib>
#include <thread>

#include "net/listen_socket.hpp"

namespace gm::net {
namespace {

using namespace std::chrono_literals;

std::pair<UniqueFd, UniqueFd> socket_pair() {
  int fds[2];
  EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

TEST(Ipc, LineClientTalksToChannelOnTheLoop) {
  auto [server_fd, client_fd] = socket_pair();
  EventLoop loop;
  std::unique_ptr<IpcChannel> server;
  std::string closed_why;
  server = std::make_unique<IpcChannel>(
      loop, std::move(server_fd),
      IpcChannel::Handlers{
          [&](std::string_view line) { (void)server->send_line("ok " + std::string(line)); },
          [&](const Error& why) {
            closed_why = why.message;
            loop.stop();
          }},
      64);
  std::thread tool([fd = client_fd.release()]() mutable {
    IpcLineClient client(UniqueFd(fd), 2000ms, 64);
    EXPECT_TRUE(client.send_line("AUTH PLAIN x").ok());
    EXPECT_TRUE(client.send_line("PING").ok());
    auto first = client.read_line();
    auto second = client.read_line();
    ASSERT_TRUE(first.ok() && second.ok());
    EXPECT_EQ(*first, "ok AUTH PLAIN x");
    EXPECT_EQ(*second, "ok PING");
    EXPECT_FALSE(client.send_line("two\nlines").ok());
    EXPECT_FALSE(client.send_line(std::string(65, 'x')).ok());
  });
  loop.run();
  tool.join();
  EXPECT_NE(closed_why.find("closed"), std::string::npos) << closed_why;
}

TEST(Ipc, ChannelClosesOnOverlongMessage) {
  auto [server_fd, client_fd] = socket_pair();
  EventLoop loop;
  std::string closed_why;
  int lines = 0;
  IpcChannel server(loop, std::move(server_fd),
                    {[&](std::string_view) { ++lines; },
                     [&](const Error& why) {
                       closed_why = why.message;
                       loop.stop();
                     }},
                    16);
  std::string flood = "short\n" + std::string(100, 'x') + "\n";
  ASSERT_EQ(write(client_fd.get(), flood.data(), flood.size()), static_cast<ssize_t>(flood.size()));
  loop.run();
  EXPECT_EQ(lines, 1);
  EXPECT_NE(closed_why.find("too long"), std::string::npos);
  EXPECT_FALSE(server.is_open());
}

TEST(Ipc, ReadLineTimesOut) {
  auto [a, b] = socket_pair();
  IpcLineClient client(std::move(a), 100ms);
  auto r = client.read_line();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("timed out"), std::string::npos);
}

TEST(Ipc, ConnectsToBoundUnixSocket) {
  char dir[] = "/tmp/gm-ipc-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string path = std::string(dir) + "/authd.sock";
  auto listener = bind_unix(path, 0660, 16);
  ASSERT_TRUE(listener.ok()) << listener.error().message;
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0660u);
  EXPECT_TRUE(connect_unix(path, 500ms).ok());
  // A stale socket file is replaced.
  listener->reset();
  EXPECT_TRUE(bind_unix(path, 0600, 16).ok());
  // A missing socket fails at once.
  EXPECT_FALSE(connect_unix(std::string(dir) + "/none.sock", 500ms).ok());
  unlink(path.c_str());
  rmdir(dir);
}

TEST(ListenSocket, BindsTcpOnLoopback) {
  auto v4 = bind_tcp("127.0.0.1", 0, 16);
  ASSERT_TRUE(v4.ok()) << v4.error().message;
  auto v6 = bind_tcp("[::1]", 0, 16);
  if (!v6.ok()) GTEST_SKIP() << "no IPv6 loopback: " << v6.error().message;
  EXPECT_FALSE(bind_tcp("localhost", 0, 16).ok());  // numeric only: no DNS at bind time
  EXPECT_FALSE(bind_tcp("256.0.0.1", 0, 16).ok());
}

TEST(ListenSocket, RefusesToReplaceARegularFile) {
  char path[] = "/tmp/gm-notasocket-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  EXPECT_FALSE(bind_unix(path, 0600, 16).ok());
  unlink(path);
}

}  // namespace
}  // namespace gm::net
