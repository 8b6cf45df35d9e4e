#include "auth/directory_client.hpp"

#include <event2/listener.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <list>
#include <optional>

#include "net/listen_socket.hpp"

namespace gm::auth {
namespace {

using namespace std::chrono_literals;

TEST(DirectoryEntry, FromReplies) {
  auto user = entry_from_reply(UserReply{1, "a@x.example", false, 5, "x.example/a"});
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(user->kind, DirectoryEntry::Kind::kUser);
  EXPECT_FALSE(user->active);
  EXPECT_EQ(user->quota, 5u);
  EXPECT_EQ(user->mailbox, "x.example/a");
  EXPECT_TRUE(user->local_domain);
  auto alias = entry_from_reply(AliasReply{1, "l@x.example", {"a@x.example", "b@y.example"}});
  ASSERT_TRUE(alias.ok());
  EXPECT_EQ(alias->kind, DirectoryEntry::Kind::kAlias);
  EXPECT_EQ(alias->targets.size(), 2u);
  auto none = entry_from_reply(NoneReply{1, true});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->kind, DirectoryEntry::Kind::kNone);
  EXPECT_TRUE(none->local_domain);
  auto temp = entry_from_reply(FailReply{1, true, "directory unavailable"});
  ASSERT_FALSE(temp.ok());
  EXPECT_EQ(temp.error().code, kLookupTemporary);
  auto perm = entry_from_reply(FailReply{1, false, "protocol error"});
  ASSERT_FALSE(perm.ok());
  EXPECT_EQ(perm.error().code, kLookupPermanent);
  EXPECT_FALSE(entry_from_reply(OkReply{1, "a", std::nullopt}).ok());
}

// A stand-in for authd: answers LOOKUPs of "slow@..." never, of anything
// else with NONE domain=local, and may drop the connection.
class FakeAuthd {
 public:
  FakeAuthd(net::EventLoop& loop, const std::string& path) : loop_(loop) {
    auto fd = net::bind_unix(path, 0600, 16);
    EXPECT_TRUE(fd.ok());
    listener_ = evconnlistener_new(loop.base(), &FakeAuthd::on_accept, this, LEV_OPT_CLOSE_ON_FREE,
                                   -1, fd->release());
  }
  ~FakeAuthd() { evconnlistener_free(listener_); }
  void drop_all() { channels_.clear(); }
  int lookups = 0;
  int connections = 0;

 private:
  static void on_accept(evconnlistener*, evutil_socket_t fd, sockaddr*, int, void* self) {
    static_cast<FakeAuthd*>(self)->accept(UniqueFd(fd));
  }
  void accept(UniqueFd fd) {
    ++connections;
    evutil_make_socket_nonblocking(fd.get());
    auto* slot = &channels_.emplace_back();
    *slot = std::make_unique<net::IpcChannel>(
        loop_, std::move(fd),
        net::IpcChannel::Handlers{
            [this, slot](std::string_view line) {
              ++lookups;
              auto request = parse_request(line);
              ASSERT_TRUE(request.ok());
              auto& lookup = std::get<LookupRequest>(*request);
              if (lookup.address.starts_with("slow@")) return;
              (void)(*slot)->send_line(format_reply(NoneReply{lookup.id, true}));
            },
            [](const Error&) {}});
  }
  net::EventLoop& loop_;
  evconnlistener* listener_ = nullptr;
  std::list<std::unique_ptr<net::IpcChannel>> channels_;
};

class DirectoryClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/gm-dirclient-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/authd.sock";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_, path_;
};

TEST_F(DirectoryClientTest, AnswersEachLookupOnceAndReconnects) {
  net::EventLoop loop;
  auto authd = std::make_unique<FakeAuthd>(loop, path_);
  DirectoryClient client(loop, path_);
  std::vector<Result<DirectoryEntry>> results;
  auto record = [&](Result<DirectoryEntry> r) {
    results.push_back(std::move(r));
    if (results.size() == 2) loop.stop();
  };
  client.lookup("a@x.example", record);
  client.lookup("b@x.example", record);
  loop.run();
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[0].ok() && results[1].ok());
  EXPECT_EQ(authd->connections, 1);

  // authd drops the connection: the next lookup reconnects.
  authd->drop_all();
  net::Timer later(loop, [&] {
    client.lookup("c@x.example", [&](Result<DirectoryEntry> r) {
      results.push_back(std::move(r));
      loop.stop();
    });
  });
  later.start(50ms);
  loop.run();
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[2].ok());
  EXPECT_EQ(authd->connections, 2);
}

TEST_F(DirectoryClientTest, UnansweredLookupTimesOutTemporarily) {
  net::EventLoop loop;
  FakeAuthd authd(loop, path_);
  DirectoryClient client(loop, path_, 300ms);
  std::optional<Result<DirectoryEntry>> result;
  client.lookup("slow@x.example", [&](Result<DirectoryEntry> r) {
    result = std::move(r);
    loop.stop();
  });
  loop.run();
  ASSERT_TRUE(result.has_value());
  ASSERT_FALSE(result->ok());
  EXPECT_EQ(result->error().code, kLookupTemporary);
}

TEST_F(DirectoryClientTest, NoAuthdIsATemporaryFailureReportedFromTheLoop) {
  net::EventLoop loop;
  DirectoryClient client(loop, path_);
  bool called_inside = true;
  std::optional<Result<DirectoryEntry>> result;
  client.lookup("a@x.example", [&](Result<DirectoryEntry> r) {
    result = std::move(r);
    loop.stop();
  });
  called_inside = result.has_value();
  loop.run();
  EXPECT_FALSE(called_inside);
  ASSERT_TRUE(result.has_value());
  ASSERT_FALSE(result->ok());
  EXPECT_EQ(result->error().code, kLookupTemporary);
}

}  // namespace
}  // namespace gm::auth
