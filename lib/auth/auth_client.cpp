#include "auth/auth_client.hpp"

#include "auth/auth_protocol.hpp"
#include "core/log.hpp"
#include "core/str.hpp"

namespace gm::auth {
namespace {

constexpr const char* kUnavailable = "authentication service unavailable";
constexpr std::chrono::milliseconds kExpiryTick{250};

}  // namespace

AuthClient::AuthClient(net::EventLoop& loop, std::string socket_path,
                       std::chrono::milliseconds timeout)
    : loop_(loop),
      socket_path_(std::move(socket_path)),
      timeout_(timeout),
      failure_timer_(loop, [this] { deliver_failures(); }),
      expiry_timer_(loop, [this] { expire(); }) {}

AuthClient::~AuthClient() = default;

uint32_t AuthClient::next_id() {
  last_id_ = last_id_ >= kMaxAuthId ? 1 : last_id_ + 1;
  return last_id_;
}

bool AuthClient::ensure_connected() {
  if (channel_ && channel_->is_open()) return true;
  net::IpcChannel::Handlers handlers{[this](std::string_view line) { on_line(line); },
                                     [this](const Error& why) { on_closed(why); }};
  auto channel =
      net::IpcChannel::connect(loop_, socket_path_, std::move(handlers), kMaxAuthLineLength + 1);
  if (!channel) {
    log::warning(str_cat("authd at ", socket_path_, ": ", channel.error().message));
    return false;
  }
  channel_ = std::move(*channel);
  return true;
}

bool AuthClient::send(uint32_t id, const std::string& line) {
  if (ensure_connected() && channel_->send_line(line)) {
    awaiting_authd(id);
    return true;
  }
  fail_later(id, kUnavailable);
  return false;
}

uint32_t AuthClient::mechanisms(bool secured, bool channel_binding, MechsDone done) {
  uint32_t id = next_id();
  pending_[id] = Pending{std::move(done), nullptr, std::nullopt};
  send(id, format_request(MechsRequest{id, secured, channel_binding}));
  return id;
}

uint32_t AuthClient::start(AuthStart request, StepDone done) {
  uint32_t id = next_id();
  pending_[id] = Pending{nullptr, std::move(done), std::nullopt};
  AuthRequest message{id,
                      std::move(request.mechanism),
                      std::move(request.service),
                      std::move(request.remote_ip),
                      request.secured,
                      std::move(request.cb_type),
                      std::move(request.cb_data),
                      std::move(request.initial_response)};
  send(id, format_request(message));
  return id;
}

void AuthClient::respond(uint32_t id, std::string response) {
  if (!pending_.count(id)) return;
  send(id, format_request(ContinueRequest{id, std::move(response)}));
}

void AuthClient::abort(uint32_t id) {
  if (!pending_.erase(id)) return;
  failed_.erase(id);
  if (channel_ && channel_->is_open()) (void)channel_->send_line(format_request(AbortRequest{id}));
}

void AuthClient::cancel(uint32_t id) {
  pending_.erase(id);
  failed_.erase(id);
}

void AuthClient::awaiting_authd(uint32_t id) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  it->second.deadline = std::chrono::steady_clock::now() + timeout_;
  if (!expiry_timer_.pending()) expiry_timer_.start(kExpiryTick);
}

// authd owes a reply past its deadline: it is down (or hung) while gm-master
// holds its socket. Everything in flight fails temporarily, and the next
// request connects afresh rather than queueing behind the silence.
void AuthClient::expire() {
  auto now = std::chrono::steady_clock::now();
  bool expired = false, waiting = false;
  for (auto& [id, p] : pending_) {
    if (!p.deadline) continue;
    waiting = true;
    expired |= *p.deadline <= now;
  }
  if (expired) {
    log::warning(str_cat("authd at ", socket_path_, " did not answer within ",
                         timeout_.count(), " ms"));
    for (auto& [id, p] : pending_) fail_later(id, kUnavailable);
    if (channel_) channel_->close();
    return;
  }
  if (waiting) expiry_timer_.start(kExpiryTick);
}

void AuthClient::fail_later(uint32_t id, std::string reason) {
  failed_[id] = std::move(reason);
  failure_timer_.start(std::chrono::milliseconds(0));
}

void AuthClient::deliver_failures() {
  auto failed = std::move(failed_);
  failed_.clear();
  for (auto& [id, reason] : failed) fail(id, reason);
}

void AuthClient::fail(uint32_t id, const std::string& reason) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  Pending p = std::move(it->second);
  pending_.erase(it);
  if (p.mechs) p.mechs(make_error(reason));
  if (p.step) p.step(AuthStep{AuthStep::Kind::kTemporaryFailure, "", false, "", reason});
}

void AuthClient::on_closed(const Error& why) {
  log::warning(str_cat("authd connection lost: ", why.message));
  // Not channel_.reset() here: we are inside the channel's callback.
  for (auto& [id, p] : pending_) fail_later(id, kUnavailable);
  failure_timer_.start(std::chrono::milliseconds(0));
  channel_->close();
}

void AuthClient::on_line(std::string_view line) {
  auto reply = parse_reply(line);
  if (!reply) {
    log::error(str_cat("authd sent a bad reply: ", reply.error().message));
    return;
  }
  std::visit(
      [this](auto& message) {
        using T = std::decay_t<decltype(message)>;
        auto it = pending_.find(message.id);
        if (it == pending_.end()) return;  // cancelled meanwhile
        Pending& p = it->second;
        if constexpr (std::is_same_v<T, MechsReply>) {
          MechsDone done = std::move(p.mechs);
          pending_.erase(it);
          if (done) done(std::move(message.mechanisms));
        } else {
          StepDone done = p.step;
          AuthStep step;
          if constexpr (std::is_same_v<T, ContinueReply>) {
            step = {AuthStep::Kind::kContinue, std::move(message.challenge), true, "", ""};
          } else if constexpr (std::is_same_v<T, OkReply>) {
            step = {AuthStep::Kind::kOk, message.additional_data.value_or(""),
                    message.additional_data.has_value(), std::move(message.account), ""};
          } else if constexpr (std::is_same_v<T, FailReply>) {
            step = {message.temporary ? AuthStep::Kind::kTemporaryFailure : AuthStep::Kind::kFail,
                    "", false, "", std::move(message.reason)};
          } else {  // a directory reply (USER, ALIAS, NONE) answers no exchange
            step = {AuthStep::Kind::kTemporaryFailure, "", false, "", "unexpected reply"};
          }
          if (step.kind != AuthStep::Kind::kContinue) pending_.erase(it);
          else p.deadline.reset();  // the client's turn
          if (done) done(std::move(step));
        }
      },
      *reply);
}

}  // namespace gm::auth
