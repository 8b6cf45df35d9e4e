// Every listen socket of every service, bound by gm-master and handed to
// the daemons as inherited fds. On reload a socket whose address did not
// change is kept (the same fd, so no connection is refused in between);
// only new addresses are bound and only dropped ones are closed.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/service_table.hpp"
#include "core/unique_fd.hpp"
#include "master/master_config.hpp"

namespace gm::master {

inline constexpr int kListenBacklog = 511;

struct BoundListener {
  core::ListenerSpec spec;
  UniqueFd fd;
};

class ListenerPool {
 public:
  // The sockets master's table needs: shared with this pool where the
  // address is unchanged, newly bound otherwise. On failure the sockets
  // bound so far are closed again and this pool keeps serving.
  Result<ListenerPool> rebind(const MasterConfig& master) const;
  // The fds of a service's listeners, in the table's order.
  std::vector<int> fds_for(const core::ServiceSpec& service) const;
  // Removes the socket files of unix listeners that next no longer has.
  void unlink_dropped(const ListenerPool& next) const;
  // Removes every unix socket file (at shutdown).
  void unlink_all() const;

 private:
  std::map<std::string, std::shared_ptr<BoundListener>> by_address_;
};

}  // namespace gm::master
