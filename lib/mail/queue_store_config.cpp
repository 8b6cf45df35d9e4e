#include "mail/queue_store_config.hpp"

#include <algorithm>

#include "mail/queue_log.hpp"
#include "mail/queue_trigger.hpp"

namespace gm::mail {

std::unique_ptr<QueueStore> make_server_queue_store(const core::Config& config, std::string name) {
  std::string root = config.path("spool_dir");
  if (!config.boolean("queue_log")) return make_file_queue_store(std::move(root));
  QueueLogStoreOptions options;
  options.name = std::move(name);
  options.segment_size = config.size("queue_log_segment_size");
  options.lanes = static_cast<size_t>(
      std::clamp<int64_t>(config.integer("queue_log_lanes"), 1, kQueueLogMaxLanes));
  options.checkpoint_interval = config.duration("queue_log_checkpoint_interval");
  options.on_recovered = [socket = config.path("queue_trigger_socket")](const std::string& id) {
    trigger_queue_manager_nowait(socket, trigger_new_message(id));
  };
  return make_log_queue_store(std::move(root), std::move(options));
}

}  // namespace gm::mail
