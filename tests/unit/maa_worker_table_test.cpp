#include "worker_table.hpp"

#include <gtest/gtest.h>

namespace gm::maa {
namespace {

TEST(WorkerTable, EachUserGetsAWorkerAndKeepsIt) {
  WorkerTable table(10);
  auto alice = table.place("alice");
  EXPECT_TRUE(alice.new_worker);
  auto bob = table.place("bob");
  EXPECT_TRUE(bob.new_worker);
  EXPECT_NE(alice.worker, bob.worker);
  auto alice_again = table.place("alice");
  EXPECT_FALSE(alice_again.new_worker);
  EXPECT_EQ(alice_again.worker, alice.worker);
  EXPECT_EQ(table.sessions(alice.worker), 2u);
  EXPECT_EQ(table.workers(), 2u);
}

TEST(WorkerTable, AtTheLimitNewUsersJoinTheLeastLoadedWorker) {
  WorkerTable table(2);
  auto a = table.place("a");
  table.place("a");
  auto b = table.place("b");
  auto c = table.place("c");  // no third process: joins b (1 session) rather than a (2)
  EXPECT_FALSE(c.new_worker);
  EXPECT_EQ(c.worker, b.worker);
  EXPECT_EQ(table.worker_of("c"), b.worker);
  EXPECT_EQ(table.place("c").worker, b.worker);  // and stays there
  EXPECT_EQ(table.workers(), 2u);
  EXPECT_NE(a.worker, b.worker);
}

TEST(WorkerTable, IdleWorkerKeepsItsUserUntilForgotten) {
  WorkerTable table(10);
  auto first = table.place("alice");
  EXPECT_TRUE(table.session_ended(first.worker, "alice"));  // idle now
  auto again = table.place("alice");
  EXPECT_FALSE(again.new_worker);
  EXPECT_EQ(again.worker, first.worker);
  EXPECT_TRUE(table.session_ended(first.worker, "alice"));
  table.forget(first.worker);  // retired
  EXPECT_FALSE(table.worker_of("alice"));
  auto fresh = table.place("alice");
  EXPECT_TRUE(fresh.new_worker);
  EXPECT_NE(fresh.worker, first.worker);
}

TEST(WorkerTable, SharedWorkerDropsAUserWhoseLastSessionEnded) {
  WorkerTable table(1);
  auto a = table.place("a");
  table.place("b");
  EXPECT_FALSE(table.session_ended(a.worker, "b"));  // a still works there
  EXPECT_FALSE(table.worker_of("b"));
  EXPECT_EQ(table.worker_of("a"), a.worker);
  EXPECT_EQ(table.sessions(a.worker), 1u);
}

TEST(WorkerTable, ACrashedWorkerFreesAllItsUsers) {
  WorkerTable table(1);
  auto w = table.place("a");
  table.place("b");
  table.forget(w.worker);
  EXPECT_EQ(table.workers(), 0u);
  EXPECT_FALSE(table.worker_of("a"));
  EXPECT_FALSE(table.worker_of("b"));
  EXPECT_TRUE(table.place("b").new_worker);
}

TEST(WorkerTable, EndOfAnUnknownSessionIsIgnored) {
  WorkerTable table(3);
  auto w = table.place("a");
  EXPECT_FALSE(table.session_ended(w.worker, "nobody"));
  EXPECT_FALSE(table.session_ended(w.worker + 100, "a"));
  EXPECT_EQ(table.sessions(w.worker), 1u);
}

}  // namespace
}  // namespace gm::maa
