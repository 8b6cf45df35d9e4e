#include "master/listener_pool.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/str.hpp"
#include "net/listen_socket.hpp"

namespace gm::master {
namespace {

Result<UniqueFd> bind_listener(const core::ListenerSpec& spec) {
  if (spec.kind == core::ListenerKind::kInet)
    return net::bind_tcp(spec.host, spec.port, kListenBacklog);
  return net::bind_unix(spec.path, spec.mode, kListenBacklog);
}

// A unix socket belongs to the service's user (when master is root), so a
// mode of 0600 means "this daemon and root only".
Status set_socket_owner(const core::ListenerSpec& spec, const core::Account& owner, bool as_root) {
  if (spec.kind != core::ListenerKind::kUnix) return {};
  if (::chmod(spec.path.c_str(), spec.mode) != 0)
    return make_error(str_cat("chmod ", spec.path, ": ", std::strerror(errno)));
  if (as_root && ::chown(spec.path.c_str(), owner.uid, owner.gid) != 0)
    return make_error(str_cat("chown ", spec.path, ": ", std::strerror(errno)));
  return {};
}

}  // namespace

Result<ListenerPool> ListenerPool::rebind(const MasterConfig& master) const {
  ListenerPool next;
  for (const core::ServiceSpec& service : master.table.services) {
    for (const core::ListenerSpec& spec : service.listeners) {
      std::string address = spec.address();
      if (auto it = by_address_.find(address); it != by_address_.end()) {
        next.by_address_[address] = it->second;
      } else {
        auto fd = bind_listener(spec);
        if (!fd)
          return make_error(str_cat("service ", service.name, ", listener ", spec.name, ": ",
                                    fd.error().message));
        next.by_address_[address] =
            std::make_shared<BoundListener>(BoundListener{spec, std::move(*fd)});
      }
      if (auto status = set_socket_owner(spec, master.account_of(service), master.as_root); !status)
        return status.error();
    }
  }
  return next;
}

std::vector<int> ListenerPool::fds_for(const core::ServiceSpec& service) const {
  std::vector<int> fds;
  for (const core::ListenerSpec& spec : service.listeners)
    fds.push_back(by_address_.at(spec.address())->fd.get());
  return fds;
}

void ListenerPool::unlink_dropped(const ListenerPool& next) const {
  for (const auto& [address, listener] : by_address_)
    if (listener->spec.kind == core::ListenerKind::kUnix && !next.by_address_.contains(address))
      ::unlink(listener->spec.path.c_str());
}

void ListenerPool::unlink_all() const {
  unlink_dropped(ListenerPool{});
}

}  // namespace gm::master
