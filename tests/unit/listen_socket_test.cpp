#include "net/listen_socket.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include <gtest/gtest.h>

namespace gm::net {
namespace {

uint16_t port_of(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  if (address.ss_family == AF_INET6)
    return ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
}

std::string temp_dir() {
  char pattern[] = "/tmp/gm-listen-XXXXXX";
  return mkdtemp(pattern);
}

TEST(ListenSocket, BindsIpv4AndIpv6LiteralsNonblockingAndCloexec) {
  for (auto host : {"127.0.0.1", "::1", "[::1]"}) {
    auto fd = bind_tcp(host, 0, 16);
    ASSERT_TRUE(fd.ok()) << host << ": " << fd.error().message;
    EXPECT_NE(port_of(fd->get()), 0);
    EXPECT_TRUE(fcntl(fd->get(), F_GETFL) & O_NONBLOCK);
    EXPECT_TRUE(fcntl(fd->get(), F_GETFD) & FD_CLOEXEC);
  }
}

TEST(ListenSocket, RejectsNamesAndReportsBusyPorts) {
  EXPECT_FALSE(bind_tcp("localhost", 0, 16).ok());
  auto first = bind_tcp("127.0.0.1", 0, 16);
  ASSERT_TRUE(first.ok());
  auto second = bind_tcp("127.0.0.1", port_of(first->get()), 16);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message.find("bind 127.0.0.1:"), std::string::npos);
}

TEST(ListenSocket, UnixSocketGetsItsModeAndReplacesAStaleOne) {
  std::string dir = temp_dir();
  std::string path = dir + "/s.sock";
  {
    auto fd = bind_unix(path, 0660, 16);
    ASSERT_TRUE(fd.ok()) << fd.error().message;
    struct stat st {};
    ASSERT_EQ(stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0660u);
    // Live: a second bind must not steal it.
    auto again = bind_unix(path, 0600, 16);
    ASSERT_FALSE(again.ok());
    EXPECT_NE(again.error().message.find("in use"), std::string::npos);
  }
  // The first socket is closed but its file remains: stale, so replaced.
  auto fd = bind_unix(path, 0600, 16);
  ASSERT_TRUE(fd.ok()) << fd.error().message;
  unlink(path.c_str());
  rmdir(dir.c_str());
}

TEST(ListenSocket, NeverRemovesAFileThatIsNotASocket) {
  std::string dir = temp_dir();
  std::string path = dir + "/regular";
  int file = open(path.c_str(), O_CREAT | O_WRONLY, 0600);
  close(file);
  auto fd = bind_unix(path, 0600, 16);
  ASSERT_FALSE(fd.ok());
  EXPECT_NE(fd.error().message.find("not a socket"), std::string::npos);
  unlink(path.c_str());
  rmdir(dir.c_str());
}

}  // namespace
}  // namespace gm::net
