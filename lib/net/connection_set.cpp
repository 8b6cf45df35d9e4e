#include "net/connection_set.hpp"

#include <utility>

namespace gm::net {

ConnectionSet::ConnectionSet(EventLoop& loop)
    : loop_(loop), reaper_(loop, [this] { closed_.clear(); }) {}

Connection& ConnectionSet::add(ConnectionParams params, std::unique_ptr<Session> session,
                               Connection::ClosedHook on_closed) {
  auto connection =
      std::make_unique<Connection>(loop_, std::move(params), std::move(session),
                                   [this, hook = std::move(on_closed)](Connection& c) {
                                     if (hook) hook(c);
                                     closed(c);
                                   });
  Connection* raw = connection.get();
  open_.emplace(raw, std::move(connection));
  return *raw;
}

// Called from inside the connection's own callbacks: destroy it later.
void ConnectionSet::closed(Connection& c) {
  auto it = open_.find(&c);
  if (it == open_.end()) return;  // close_all() is destroying it
  closed_.push_back(std::move(it->second));
  open_.erase(it);
  reaper_.start(std::chrono::milliseconds(0));
}

void ConnectionSet::close_all() {
  auto open = std::move(open_);
  open_.clear();
  open.clear();
  closed_.clear();
}

}  // namespace gm::net
