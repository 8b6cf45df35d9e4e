// One client connection of authd, line by line over a libevent bufferevent:
// each complete line goes to the protocol, whose replies for everything
// read in one go leave in one write. A line over the limit gets the
// protocol's last words and the connection closes once they are sent.
#pragma once

#include <event2/bufferevent.h>
#include <event2/event.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/unique_fd.hpp"

namespace gm::authd {

class LineProtocol {
 public:
  virtual ~LineProtocol() = default;
  // The reply to one line, "\n"-terminated lines; may be empty.
  virtual std::string on_line(std::string_view line) = 0;
  // Sent before closing a connection that sent an over-long line.
  virtual std::string on_line_too_long() = 0;
};

class LineConnection {
 public:
  using OnClose = std::function<void(LineConnection*)>;

  LineConnection(event_base* base, UniqueFd fd, size_t max_line,
                 std::unique_ptr<LineProtocol> protocol, OnClose on_close);
  LineConnection(const LineConnection&) = delete;
  LineConnection& operator=(const LineConnection&) = delete;

  // Sets an idle timeout (zero: none).
  void set_idle_timeout(int seconds);

 private:
  struct Free {
    void operator()(bufferevent* bev) const { bufferevent_free(bev); }
  };
  static void on_read(bufferevent* bev, void* self);
  static void on_write(bufferevent* bev, void* self);
  static void on_event(bufferevent* bev, short what, void* self);
  void read_lines();
  void close();  // deletes this, through on_close_

  std::unique_ptr<bufferevent, Free> bev_;
  size_t max_line_;
  std::unique_ptr<LineProtocol> protocol_;
  OnClose on_close_;
  bool closing_ = false;
};

}  // namespace gm::authd
