#include "lmtp_pool.hpp"

#include <optional>
#include <utility>

#include "core/str.hpp"

namespace gm::qmgr {

LmtpPool::LmtpPool(std::string socket_path, std::string hostname, size_t max_idle)
    : socket_path_(std::move(socket_path)), hostname_(std::move(hostname)), max_idle_(max_idle) {}

Result<LmtpClient> LmtpPool::open() const {
  auto client = LmtpClient::connect(socket_path_);
  if (!client) return client.error();
  auto expect = [](Result<LmtpReply> r, int want) -> Status {
    if (!r) return r.error();
    if (r->code != want) return make_error(r->summary(), r->code);
    return {};
  };
  if (Status s = expect(client->read_reply(), 220); !s) return s.error();
  if (Status s = expect(client->command(str_cat("LHLO ", hostname_)), 250); !s) return s.error();
  return client;
}

Result<LmtpClient> LmtpPool::take(bool fresh) {
  if (!fresh) {
    std::optional<LmtpClient> kept;
    {
      std::lock_guard lock(mutex_);
      auto now = std::chrono::steady_clock::now();
      // The oldest go first: closed here, outside nobody's way.
      while (!idle_.empty() && now - idle_.front().since > kLmtpIdleReuse)
        idle_.erase(idle_.begin());
      if (!idle_.empty()) {
        kept.emplace(std::move(idle_.back().client));
        idle_.pop_back();
      }
    }
    if (kept) {
      kept->mark_reused();
      return std::move(*kept);
    }
  }
  return open();
}

void LmtpPool::give_back(LmtpClient client) {
  std::lock_guard lock(mutex_);
  if (idle_.size() < max_idle_)
    idle_.push_back(Idle{std::move(client), std::chrono::steady_clock::now()});
}

}  // namespace gm::qmgr
