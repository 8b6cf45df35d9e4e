// Logging: one line per event, to syslog and/or stderr, each line tagged
// with the program and, where there is one, the session id of the
// connection it concerns. Text is made printable (no log injection);
// gm::Secret cannot be passed here, so secrets never reach a log line.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace gm::log {

enum class Level { kDebug, kInfo, kNotice, kWarning, kError };

struct Options {
  std::string program;
  Level min_level = Level::kInfo;
  std::string syslog_facility = "mail";  // "none" disables syslog
  bool to_stderr = true;
};

Result<Level> parse_level(std::string_view name);
void init(const Options& options);
void set_program(std::string_view program);

void write(Level level, std::string_view session, std::string_view message);
inline void debug(std::string_view message) { write(Level::kDebug, {}, message); }
inline void info(std::string_view message) { write(Level::kInfo, {}, message); }
inline void notice(std::string_view message) { write(Level::kNotice, {}, message); }
inline void warning(std::string_view message) { write(Level::kWarning, {}, message); }
inline void error(std::string_view message) { write(Level::kError, {}, message); }

// A short id unique across processes and restarts, for one connection.
std::string new_session_id();

}  // namespace gm::log
