// qmgr's trigger socket (listener "trigger", queue_trigger_socket): clients
// write lines ("new", "new ID" or "flush", mail/queue_trigger.hpp; msa and
// mta keep one connection, tools write one line and close), and "list"
// (mailq for users who may not read the spool, mail/queue_listing.hpp),
// answered on the same connection. Other lines are logged and ignored.
#pragma once

#include <event2/listener.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/unique_fd.hpp"
#include "net/event_loop.hpp"
#include "net/ipc.hpp"

namespace gm::qmgr {

inline constexpr size_t kMaxTriggerLine = 64;
inline constexpr size_t kMaxTriggerClients = 256;

class TriggerListener {
 public:
  using OnTrigger = std::function<void(std::string_view what)>;
  // Calls `reply` (on the loop) with the whole answer, framed lines.
  using OnList = std::function<void(std::function<void(std::string lines)> reply)>;
  TriggerListener(net::EventLoop& loop, UniqueFd listening_fd, OnTrigger on_trigger,
                  OnList on_list);
  ~TriggerListener();
  TriggerListener(const TriggerListener&) = delete;
  TriggerListener& operator=(const TriggerListener&) = delete;

 private:
  static void on_accept(evconnlistener*, evutil_socket_t fd, sockaddr*, int, void* self);
  void accept(UniqueFd fd);
  void closed(uint64_t key);

  net::EventLoop& loop_;
  OnTrigger on_trigger_;
  OnList on_list_;
  evconnlistener* listener_ = nullptr;
  uint64_t next_key_ = 0;
  std::map<uint64_t, std::unique_ptr<net::IpcChannel>> clients_;
  std::vector<std::unique_ptr<net::IpcChannel>> finished_;
  net::Timer reaper_;
};

}  // namespace gm::qmgr
