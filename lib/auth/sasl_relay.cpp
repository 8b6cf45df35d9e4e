#include "auth/sasl_relay.hpp"

#include <algorithm>

#include "auth/base64.hpp"
#include "core/str.hpp"

namespace gm::auth {

SaslRelay::SaslRelay(AuthClient& auth, net::Connection& c, std::string_view service,
                     std::string_view challenge_prefix, size_t line_limit_after, Done done)
    : auth_(auth),
      conn_(c),
      service_(service),
      challenge_prefix_(challenge_prefix),
      line_limit_after_(line_limit_after),
      done_(std::move(done)) {}

SaslRelay::~SaslRelay() {
  if (id_ != 0) auth_.cancel(id_);
}

void SaslRelay::abort() {
  if (id_ != 0) auth_.abort(id_);
  id_ = 0;
  awaiting_final_ = false;
  conn_.set_line_limit(line_limit_after_);
}

void SaslRelay::send_challenge(std::string_view data) {
  conn_.send(str_cat(challenge_prefix_, base64_encode(data), "\r\n"));
  conn_.resume_input();
}

void SaslRelay::start(std::string mechanism, std::optional<std::string> initial) {
  AuthStart request;
  request.mechanism = std::move(mechanism);
  request.service = service_;
  request.remote_ip = conn_.peer_address();
  request.secured = conn_.tls_active();
  if (auto cb = conn_.channel_binding()) {
    request.cb_type = cb->type;
    request.cb_data = cb->data;
  }
  request.initial_response = std::move(initial);
  conn_.pause_input();
  conn_.set_line_limit(kMaxSaslLine);
  id_ = auth_.start(std::move(request), [this](AuthStep s) { step(std::move(s)); });
}

void SaslRelay::start_plain(std::string_view user, std::string_view password) {
  start("PLAIN", str_cat(std::string_view("\0", 1), user, std::string_view("\0", 1), password));
}

void SaslRelay::step(AuthStep s) {
  using Kind = AuthStep::Kind;
  switch (s.kind) {
    case Kind::kContinue:
      return send_challenge(s.data);
    case Kind::kOk:
      id_ = 0;
      account_ = s.account;
      if (s.has_data && !s.data.empty()) {
        awaiting_final_ = true;  // RFC 4954 4, RFC 9051 6.2.2: data with success
        return send_challenge(s.data);
      }
      return finish({SaslOutcome::Kind::kOk, account_});
    case Kind::kFail:
      id_ = 0;
      return finish({SaslOutcome::Kind::kFailed, {}});
    case Kind::kTemporaryFailure:
      id_ = 0;
      return finish({SaslOutcome::Kind::kTemporaryFailure, {}});
  }
}

void SaslRelay::on_line(std::string_view line) {
  if (line == "*") {  // RFC 9051 6.2.2, RFC 5034 4: the client cancels
    if (id_ != 0) auth_.abort(id_);
    id_ = 0;
    return finish({SaslOutcome::Kind::kCancelled, {}});
  }
  if (awaiting_final_) {
    if (!line.empty()) return finish({SaslOutcome::Kind::kBadResponse, {}});
    return finish({SaslOutcome::Kind::kOk, account_});
  }
  auto decoded = line == "=" ? Result<std::string>(std::string()) : base64_decode(line);
  if (!decoded) {
    if (id_ != 0) auth_.abort(id_);
    id_ = 0;
    return finish({SaslOutcome::Kind::kBadResponse, {}});
  }
  conn_.pause_input();
  auth_.respond(id_, std::move(*decoded));
}

void SaslRelay::finish(SaslOutcome outcome) {
  awaiting_final_ = false;
  conn_.set_line_limit(line_limit_after_);
  conn_.resume_input();
  done_(std::move(outcome));  // may destroy this exchange
}

std::string offered_mechanism(std::string_view name, std::span<const std::string> offered) {
  std::string upper(name);
  for (char& ch : upper) ch = (ch >= 'a' && ch <= 'z') ? char(ch - 'a' + 'A') : ch;
  return std::find(offered.begin(), offered.end(), upper) != offered.end() ? upper : "";
}

}  // namespace gm::auth
