// Line-framed IPC over Unix stream sockets (daemons <-> authd, gmctl ->
// daemons): one message per LF-terminated line, at most max_line bytes,
// never containing CR, LF or NUL. Tools use the blocking IpcLineClient
// with a timeout; daemons use IpcChannel on their event loop (for either
// end: connect, or wrap an accepted fd).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/unique_fd.hpp"
#include "net/event_loop.hpp"
#include "net/line_splitter.hpp"

struct bufferevent;

namespace gm::net {

inline constexpr size_t kMaxIpcLine = 64 * 1024;

// A message that fits the framing: no CR, LF or NUL, at most max_line.
Status check_ipc_line(std::string_view line, size_t max_line);

// Connects to a Unix stream socket, waiting at most `timeout` (a full
// backlog is retried until then). The fd is nonblocking and close-on-exec.
Result<UniqueFd> connect_unix(const std::string& path, std::chrono::milliseconds timeout);

// Blocking, for command-line tools: each call waits at most `timeout`.
class IpcLineClient {
 public:
  IpcLineClient(UniqueFd fd, std::chrono::milliseconds timeout, size_t max_line = kMaxIpcLine);
  static Result<IpcLineClient> connect(const std::string& path, std::chrono::milliseconds timeout,
                                       size_t max_line = kMaxIpcLine);

  Status send_line(std::string_view line);
  Result<std::string> read_line();  // without its LF; an error on EOF, timeout or a long line

 private:
  UniqueFd fd_;
  std::chrono::milliseconds timeout_;
  LineSplitter splitter_;
  std::string unread_;  // received, not yet split
};

// Nonblocking, on the loop. Handlers may destroy the channel.
class IpcChannel {
 public:
  struct Handlers {
    std::function<void(std::string_view line)> on_line;
    // The peer closed, or broke the framing; called once, then nothing more.
    std::function<void(const Error& why)> on_close;
  };

  IpcChannel(EventLoop& loop, UniqueFd fd, Handlers handlers, size_t max_line = kMaxIpcLine);
  ~IpcChannel();
  IpcChannel(const IpcChannel&) = delete;
  IpcChannel& operator=(const IpcChannel&) = delete;

  // Connecting to a local socket does not block (a full backlog is an error).
  static Result<std::unique_ptr<IpcChannel>> connect(EventLoop& loop, const std::string& path,
                                                     Handlers handlers,
                                                     size_t max_line = kMaxIpcLine);

  Status send_line(std::string_view line);
  // Bytes already framed by the caller (lines longer than this channel
  // reads, say), added to the output as they are.
  Status send_framed(std::string_view lines);
  bool is_open() const { return bev_ != nullptr; }
  void close();  // no on_close for a close we asked for

 private:
  static void on_read(bufferevent* bev, void* self);
  static void on_event(bufferevent* bev, short what, void* self);
  void fail(Error why);

  Handlers handlers_;
  LineSplitter splitter_;
  bufferevent* bev_ = nullptr;  // owns the fd (BEV_OPT_CLOSE_ON_FREE)
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace gm::net
