// maa-mail's SearchScheduler: long searches run one slice per loop turn, the
// first queued first, while other events of the loop run between slices.
#include "search_scheduler.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>

namespace gm::maa {
namespace {

TEST(SearchScheduler, RunsJobsInArrivalOrderOneSlicePerTurn) {
  net::EventLoop loop;
  SearchScheduler scheduler(loop);
  std::string trace;
  int a = 0, b = 0;
  scheduler.add([&] {
    trace += 'a';
    return ++a == 3;
  });
  scheduler.add([&] {
    trace += 'b';
    return ++b == 2;
  });
  // Another event of the loop (a session's command) gets its turn in between.
  net::Timer other(loop, [&] { trace += 'x'; });
  other.start(std::chrono::milliseconds(0));
  net::Timer stop(loop, [&] { loop.stop(); });
  stop.start(std::chrono::milliseconds(200));
  loop.run();
  EXPECT_EQ(trace.find_first_not_of("ax"), trace.find('b'));  // a finished before b began
  EXPECT_EQ(std::count(trace.begin(), trace.end(), 'a'), 3);
  EXPECT_EQ(std::count(trace.begin(), trace.end(), 'b'), 2);
  EXPECT_NE(trace.find('x'), std::string::npos);
  EXPECT_LT(trace.find('x'), trace.find('b'));  // not after every search
  EXPECT_EQ(scheduler.queued(), 0u);
}

TEST(SearchScheduler, AJobMayCancelItselfOrOthersAndAddMore) {
  net::EventLoop loop;
  SearchScheduler scheduler(loop);
  std::string trace;
  uint64_t self = 0, victim = 0;
  self = scheduler.add([&] {
    trace += 's';
    scheduler.cancel(self);    // as a finishing job's destructor does
    scheduler.cancel(victim);  // a session that went away
    scheduler.add([&] {
      trace += 'n';
      return true;
    });
    return false;
  });
  victim = scheduler.add([&] {
    trace += 'v';
    return true;
  });
  net::Timer stop(loop, [&] { loop.stop(); });
  stop.start(std::chrono::milliseconds(100));
  loop.run();
  EXPECT_EQ(trace, "sn");
  EXPECT_EQ(scheduler.queued(), 0u);
}

}  // namespace
}  // namespace gm::maa
