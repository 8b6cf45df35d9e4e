#include "auth/directory_client.hpp"

#include <optional>
#include <utility>

#include "core/log.hpp"
#include "core/str.hpp"

namespace gm::auth {
namespace {

constexpr std::chrono::milliseconds kExpiryTick{250};

Error temporary(std::string message) {
  return make_error(std::move(message), kLookupTemporary);
}

}  // namespace

Result<DirectoryEntry> entry_from_reply(const AuthReplyMessage& reply) {
  DirectoryEntry entry;
  if (const auto* user = std::get_if<UserReply>(&reply)) {
    entry.kind = DirectoryEntry::Kind::kUser;
    entry.address = user->address;
    entry.active = user->active;
    entry.quota = user->quota;
    entry.mailbox = user->mailbox;
    entry.local_domain = true;
    return entry;
  }
  if (const auto* alias = std::get_if<AliasReply>(&reply)) {
    entry.kind = DirectoryEntry::Kind::kAlias;
    entry.address = alias->address;
    entry.targets = alias->targets;
    entry.local_domain = true;
    return entry;
  }
  if (const auto* none = std::get_if<NoneReply>(&reply)) {
    entry.local_domain = none->local_domain;
    return entry;
  }
  if (const auto* fail = std::get_if<FailReply>(&reply)) {
    std::string message = str_cat("directory lookup failed: ", fail->reason);
    return make_error(message, fail->temporary ? kLookupTemporary : kLookupPermanent);
  }
  return make_error("directory lookup: unexpected reply from authd", kLookupPermanent);
}

DirectoryClient::DirectoryClient(net::EventLoop& loop, std::string socket_path,
                                 std::chrono::milliseconds timeout)
    : loop_(loop),
      socket_path_(std::move(socket_path)),
      timeout_(timeout),
      report_timer_(loop, [this] { report_failures(); }),
      expiry_timer_(loop, [this] { expire(); }) {}

DirectoryClient::~DirectoryClient() {
  *alive_ = false;
}

uint32_t DirectoryClient::next_id() {
  do {
    last_id_ = last_id_ >= kMaxAuthId ? 1 : last_id_ + 1;
  } while (pending_.contains(last_id_));
  return last_id_;
}

bool DirectoryClient::ensure_connected(Error& why) {
  if (channel_ && channel_->is_open()) return true;
  net::IpcChannel::Handlers handlers;
  handlers.on_line = [this](std::string_view line) { on_line(line); };
  handlers.on_close = [this](const Error& e) { on_close(e); };
  // Connecting to a local socket does not block (ipc.hpp).
  auto channel = net::IpcChannel::connect(loop_, socket_path_, std::move(handlers));
  if (!channel) {
    why = temporary(str_cat("cannot reach authd at ", socket_path_, ": ", channel.error().message));
    return false;
  }
  channel_ = std::move(*channel);
  return true;
}

void DirectoryClient::lookup(std::string address, Done done) {
  if (pending_.size() >= kMaxPendingLookups)
    return fail_soon(std::move(done), temporary("too many directory lookups in flight"));
  Error why;
  if (!ensure_connected(why)) return fail_soon(std::move(done), std::move(why));
  uint32_t id = next_id();
  if (Status s = channel_->send_line(format_request(LookupRequest{id, address})); !s)
    return fail_soon(std::move(done), temporary(str_cat("directory lookup: ", s.error().message)));
  pending_.emplace(id, Pending{std::move(done), std::chrono::steady_clock::now() + timeout_});
  if (!expiry_timer_.pending()) expiry_timer_.start(kExpiryTick);
}

void DirectoryClient::expire() {
  auto now = std::chrono::steady_clock::now();
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.deadline <= now) {
      failures_.emplace_back(std::move(it->second.done), temporary("directory lookup timed out"));
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  if (!pending_.empty()) expiry_timer_.start(kExpiryTick);
  report_failures();
}

void DirectoryClient::on_line(std::string_view line) {
  auto reply = parse_reply(line);
  if (!reply) {
    log::warning(str_cat("authd sent a bad lookup reply: ", reply.error().message));
    return;  // its lookup times out
  }
  uint32_t id = std::visit([](const auto& m) { return m.id; }, *reply);
  finish(id, entry_from_reply(*reply));
}

// authd went away: everything in flight fails temporarily; the next lookup
// reconnects.
void DirectoryClient::on_close(const Error& why) {
  log::warning(str_cat("connection to authd closed: ", why.message));
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& [id, p] : pending)
    failures_.emplace_back(std::move(p.done), temporary("authd closed the connection"));
  if (!failures_.empty()) report_timer_.start(std::chrono::milliseconds(0));
  // The channel is closed already; the next lookup replaces it (not freed
  // here, inside its own callback).
}

void DirectoryClient::finish(uint32_t id, Result<DirectoryEntry> result) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;  // timed out earlier, or not ours
  Done done = std::move(it->second.done);
  pending_.erase(it);
  done(std::move(result));
}

void DirectoryClient::fail_soon(Done done, Error why) {
  failures_.emplace_back(std::move(done), std::move(why));
  report_timer_.start(std::chrono::milliseconds(0));
}

void DirectoryClient::report_failures() {
  auto failures = std::move(failures_);
  failures_.clear();
  std::weak_ptr<bool> alive = alive_;
  for (auto& [done, why] : failures) {
    done(std::move(why));
    if (alive.expired()) return;
  }
}

namespace {

// One request and its reply line on `client`; an error means the
// connection is no longer usable.
Result<std::string> ask(net::IpcLineClient& client, std::string_view address) {
  if (Status s = client.send_line(format_request(LookupRequest{1, std::string(address)})); !s)
    return s.error();
  return client.read_line();
}

Result<DirectoryEntry> entry_from_line(const std::string& line) {
  auto reply = parse_reply(line);
  if (!reply) return temporary(str_cat("authd sent a bad lookup reply: ", reply.error().message));
  return entry_from_reply(*reply);
}

}  // namespace

BlockingDirectory::BlockingDirectory(std::string socket_path, std::chrono::milliseconds timeout,
                                     size_t max_idle)
    : socket_path_(std::move(socket_path)), timeout_(timeout), max_idle_(max_idle) {}

Result<DirectoryEntry> BlockingDirectory::lookup(std::string_view address) {
  std::optional<net::IpcLineClient> client;
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      client.emplace(std::move(idle_.back()));
      idle_.pop_back();
    }
  }
  Result<std::string> line = make_error("not asked");
  if (client) line = ask(*client, address);
  if (!line) {  // no kept connection, or one authd has closed
    auto fresh = net::IpcLineClient::connect(socket_path_, timeout_);
    if (!fresh)
      return temporary(
          str_cat("cannot reach authd at ", socket_path_, ": ", fresh.error().message));
    client.emplace(std::move(*fresh));
    line = ask(*client, address);
    if (!line) return temporary(str_cat("directory lookup: ", line.error().message));
  }
  {
    std::lock_guard lock(mutex_);
    if (idle_.size() < max_idle_) idle_.push_back(std::move(*client));
  }
  return entry_from_line(*line);
}

Result<DirectoryEntry> lookup_blocking(const core::Config& config, std::string_view address,
                                       std::chrono::milliseconds timeout) {
  std::string path = config.path("auth_socket");
  auto client = net::IpcLineClient::connect(path, timeout);
  if (!client)
    return temporary(str_cat("cannot reach authd at ", path, ": ", client.error().message));
  auto line = ask(*client, address);
  if (!line) return temporary(str_cat("directory lookup: ", line.error().message));
  return entry_from_line(*line);
}

}  // namespace gm::auth
