#include "core/log.hpp"

#include <syslog.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "core/str.hpp"

namespace gm::log {
namespace {

struct State {
  std::string program = "gm";
  Level min_level = Level::kInfo;
  bool to_syslog = false;
  bool to_stderr = true;
};

State& state() {
  static State s;
  return s;
}

int syslog_priority(Level level) {
  switch (level) {
    case Level::kDebug: return LOG_DEBUG;
    case Level::kInfo: return LOG_INFO;
    case Level::kNotice: return LOG_NOTICE;
    case Level::kWarning: return LOG_WARNING;
    case Level::kError: return LOG_ERR;
  }
  return LOG_INFO;
}

std::string_view level_name(Level level) {
  switch (level) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kNotice: return "notice";
    case Level::kWarning: return "warning";
    case Level::kError: return "error";
  }
  return "info";
}

int facility_code(std::string_view name) {
  if (name == "mail") return LOG_MAIL;
  if (name == "daemon") return LOG_DAEMON;
  if (name == "auth") return LOG_AUTH;
  if (name == "authpriv") return LOG_AUTHPRIV;
  if (name.size() == 6 && name.substr(0, 5) == "local" && name[5] >= '0' && name[5] <= '7')
    return LOG_LOCAL0 + ((name[5] - '0') << 3);
  return LOG_MAIL;
}

}  // namespace

Result<Level> parse_level(std::string_view name) {
  for (Level level : {Level::kDebug, Level::kInfo, Level::kNotice, Level::kWarning, Level::kError})
    if (level_name(level) == name) return level;
  return make_error(str_cat("unknown log level '", printable(name), "'"));
}

void init(const Options& options) {
  State& s = state();
  s.program = options.program;
  s.min_level = options.min_level;
  s.to_stderr = options.to_stderr;
  s.to_syslog = options.syslog_facility != "none";
  if (s.to_syslog) openlog(s.program.c_str(), LOG_PID | LOG_NDELAY, facility_code(options.syslog_facility));
}

void set_program(std::string_view program) { state().program = std::string(program); }

void write(Level level, std::string_view session, std::string_view message) {
  const State& s = state();
  if (level < s.min_level) return;
  std::string text = session.empty() ? printable(message, 4000)
                                     : str_cat("session=", session, " ", printable(message, 4000));
  if (s.to_syslog) syslog(syslog_priority(level), "%s", text.c_str());
  if (s.to_stderr) {
    timeval now{};
    gettimeofday(&now, nullptr);
    tm local{};
    localtime_r(&now.tv_sec, &local);
    char stamp[48];
    size_t n = strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &local);
    snprintf(stamp + n, sizeof stamp - n, ".%03d", static_cast<int>(now.tv_usec / 1000));
    std::string line = str_cat(stamp, " ", s.program, "[", static_cast<int>(getpid()), "] ",
                               level_name(level), ": ", text, "\n");
    // One write() per line, so lines from many processes don't interleave.
    (void)!::write(STDERR_FILENO, line.data(), line.size());
  }
}

std::string new_session_id() {
  static std::atomic<uint32_t> counter{0};
  timeval now{};
  gettimeofday(&now, nullptr);
  uint64_t mix = (static_cast<uint64_t>(now.tv_sec) << 20) ^ static_cast<uint64_t>(now.tv_usec) ^
                 (static_cast<uint64_t>(getpid()) << 40) ^ (static_cast<uint64_t>(++counter) << 52);
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHJKLMNPQRSTVWXYZ";  // 32 symbols
  std::string id;
  for (int i = 0; i < 12; ++i) {
    id.push_back(kAlphabet[mix & 31]);
    mix >>= 5;
  }
  return id;
}

}  // namespace gm::log
