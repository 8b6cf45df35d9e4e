#include "trigger_listener.hpp"

#include <stdexcept>

#include "core/log.hpp"
#include "core/str.hpp"
#include "mail/queue_listing.hpp"

namespace gm::qmgr {

TriggerListener::TriggerListener(net::EventLoop& loop, UniqueFd listening_fd, OnTrigger on_trigger,
                                 OnList on_list)
    : loop_(loop),
      on_trigger_(std::move(on_trigger)),
      on_list_(std::move(on_list)),
      reaper_(loop, [this] { finished_.clear(); }) {
  // backlog -1: gm-master (or systemd) made the socket listen already.
  listener_ =
      evconnlistener_new(loop.base(), &TriggerListener::on_accept, this,
                         LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, listening_fd.get());
  if (!listener_) throw std::runtime_error("cannot listen on the trigger socket");
  (void)listening_fd.release();
}

TriggerListener::~TriggerListener() {
  evconnlistener_free(listener_);
}

void TriggerListener::on_accept(evconnlistener*, evutil_socket_t fd, sockaddr*, int, void* self) {
  static_cast<TriggerListener*>(self)->accept(UniqueFd(fd));
}

void TriggerListener::accept(UniqueFd fd) {
  if (clients_.size() >= kMaxTriggerClients) return;  // fd closes; the periodic scan covers it
  evutil_make_socket_nonblocking(fd.get());
  uint64_t key = next_key_++;
  net::IpcChannel::Handlers handlers;
  handlers.on_line = [this, key](std::string_view line) {
    if (line == "new" || line == "flush" || line.starts_with("new ")) {
      on_trigger_(line);
    } else if (line == mail::kListingRequest) {
      // The client may be gone when the answer is ready: look it up then.
      on_list_([this, key](std::string lines) {
        auto it = clients_.find(key);
        if (it != clients_.end()) (void)it->second->send_framed(lines);
      });
    } else
      log::warning(str_cat("trigger: unknown request '", printable(line, kMaxTriggerLine), "'"));
  };
  handlers.on_close = [this, key](const Error&) { closed(key); };
  clients_.emplace(key, std::make_unique<net::IpcChannel>(loop_, std::move(fd), std::move(handlers),
                                                          kMaxTriggerLine));
}

// Inside the channel's own callback: free it from the loop later.
void TriggerListener::closed(uint64_t key) {
  auto it = clients_.find(key);
  if (it == clients_.end()) return;
  finished_.push_back(std::move(it->second));
  clients_.erase(it);
  reaper_.start(std::chrono::milliseconds(0));
}

}  // namespace gm::qmgr
