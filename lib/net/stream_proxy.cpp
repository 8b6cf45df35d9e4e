#include "net/stream_proxy.hpp"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include <stdexcept>

namespace gm::net {

void StreamProxy::BevDeleter::operator()(bufferevent* bev) const {
  bufferevent_free(bev);
}

StreamProxy::StreamProxy(Connection& client, UniqueFd backend) : client_(client) {
  backend_.reset(
      bufferevent_socket_new(client.loop().base(), backend.get(), BEV_OPT_CLOSE_ON_FREE));
  if (!backend_) throw std::runtime_error("cannot create a bufferevent for the backend");
  (void)backend.release();  // closed with backend_
  bufferevent_setcb(backend_.get(), &StreamProxy::on_backend_read, &StreamProxy::on_backend_write,
                    &StreamProxy::on_backend_event, this);
  // libevent stops reading the backend once this much waits unread.
  bufferevent_setwatermark(backend_.get(), EV_READ, 0, kProxyReadChunk);
}

StreamProxy::~StreamProxy() = default;

void StreamProxy::start(std::string_view first) {
  evbuffer_add(bufferevent_get_output(backend_.get()), first.data(), first.size());
  bufferevent_enable(backend_.get(), EV_READ | EV_WRITE);
  client_.read_all_raw();
}

void StreamProxy::from_client(std::string_view chunk) {
  evbuffer_add(bufferevent_get_output(backend_.get()), chunk.data(), chunk.size());
  if (to_backend_pending() > kProxyHighWater && !client_paused_) {
    client_paused_ = true;
    client_.pause_input();
  }
}

size_t StreamProxy::to_backend_pending() const {
  return evbuffer_get_length(bufferevent_get_output(backend_.get()));
}

void StreamProxy::client_drained() {
  if (!backend_paused_) return;
  backend_paused_ = false;
  bufferevent_enable(backend_.get(), EV_READ);
  on_backend_read(backend_.get(), this);  // what arrived while paused
}

void StreamProxy::on_backend_read(bufferevent* bev, void* self) {
  auto* p = static_cast<StreamProxy*>(self);
  p->client_.send_buffer(bufferevent_get_input(bev));
  if (p->client_.output_pending() > kProxyHighWater) {
    p->backend_paused_ = true;
    bufferevent_disable(bev, EV_READ);
  }
}

// The default write low watermark is 0: called once the backend took all.
void StreamProxy::on_backend_write(bufferevent*, void* self) {
  auto* p = static_cast<StreamProxy*>(self);
  if (!p->client_paused_) return;
  p->client_paused_ = false;
  p->client_.resume_input();
}

void StreamProxy::on_backend_event(bufferevent* bev, short what, void* self) {
  auto* p = static_cast<StreamProxy*>(self);
  if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
    p->client_.send_buffer(bufferevent_get_input(bev));  // the backend's last words
    p->backend_closed();
  }
}

void StreamProxy::backend_closed() {
  bufferevent_disable(backend_.get(), EV_READ | EV_WRITE);
  client_.close_after_flush();
}

}  // namespace gm::net
