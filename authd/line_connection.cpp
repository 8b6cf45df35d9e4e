#include "line_connection.hpp"

#include <event2/buffer.h>

#include <string>

namespace gm::authd {
namespace {

// A client that does not read its replies stops being read from.
constexpr size_t kMaxPendingOutput = 256 * 1024;

}  // namespace

LineConnection::LineConnection(event_base* base, UniqueFd fd, size_t max_line,
                               std::unique_ptr<LineProtocol> protocol, OnClose on_close)
    : bev_(bufferevent_socket_new(base, fd.release(), BEV_OPT_CLOSE_ON_FREE)),
      max_line_(max_line),
      protocol_(std::move(protocol)),
      on_close_(std::move(on_close)) {
  bufferevent_setcb(bev_.get(), on_read, on_write, on_event, this);
  bufferevent_enable(bev_.get(), EV_READ | EV_WRITE);
}

void LineConnection::set_idle_timeout(int seconds) {
  timeval timeout{seconds, 0};
  bufferevent_set_timeouts(bev_.get(), seconds > 0 ? &timeout : nullptr, nullptr);
}

void LineConnection::on_read(bufferevent*, void* self) {
  static_cast<LineConnection*>(self)->read_lines();
}

void LineConnection::read_lines() {
  if (closing_) return;
  evbuffer* input = bufferevent_get_input(bev_.get());
  std::string replies;
  while (true) {
    evbuffer_ptr eol = evbuffer_search_eol(input, nullptr, nullptr, EVBUFFER_EOL_LF);
    size_t available = evbuffer_get_length(input);
    if (eol.pos < 0 && available <= max_line_) break;  // wait for the rest
    if (eol.pos < 0 || static_cast<size_t>(eol.pos) > max_line_) {
      replies += protocol_->on_line_too_long();
      closing_ = true;
      break;
    }
    std::string line(static_cast<size_t>(eol.pos), '\0');
    evbuffer_remove(input, line.data(), line.size());
    evbuffer_drain(input, 1);  // the "\n"
    replies += protocol_->on_line(line);
  }
  evbuffer* output = bufferevent_get_output(bev_.get());
  if (!replies.empty()) evbuffer_add(output, replies.data(), replies.size());
  if (closing_) {
    bufferevent_disable(bev_.get(), EV_READ);
    if (evbuffer_get_length(output) == 0) close();
  } else if (evbuffer_get_length(output) > kMaxPendingOutput) {
    bufferevent_disable(bev_.get(), EV_READ);
  }
}

void LineConnection::on_write(bufferevent*, void* self) {
  auto* connection = static_cast<LineConnection*>(self);
  if (connection->closing_) {
    connection->close();
    return;
  }
  // The output drained (the write low-water mark is 0): read again.
  bufferevent_enable(connection->bev_.get(), EV_READ);
  connection->read_lines();
}

void LineConnection::on_event(bufferevent* bev, short what, void* self) {
  auto* connection = static_cast<LineConnection*>(self);
  // A client that half-closes after its last request still gets the replies.
  if ((what & BEV_EVENT_EOF) && evbuffer_get_length(bufferevent_get_output(bev)) > 0) {
    connection->closing_ = true;
    bufferevent_disable(bev, EV_READ);
    return;
  }
  // Otherwise end of file, an error or the idle timeout all end the connection.
  connection->close();
}

void LineConnection::close() {
  on_close_(this);
}

}  // namespace gm::authd
