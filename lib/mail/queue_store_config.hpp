// The queue store a receiving server (mta, msa) uses, from gm.conf:
// queue_log, queue_log_segment_size (gm.conf(5)). Recovered messages are
// announced to qmgr on queue_trigger_socket.
#pragma once

#include <memory>
#include <string>

#include "core/config.hpp"
#include "mail/queue_store.hpp"

namespace gm::mail {

std::unique_ptr<QueueStore> make_server_queue_store(const core::Config& config, std::string name);

}  // namespace gm::mail
