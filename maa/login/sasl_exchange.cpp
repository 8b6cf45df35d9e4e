#include "sasl_exchange.hpp"

#include <algorithm>

#include "auth/base64.hpp"
#include "core/str.hpp"

namespace gm::maa {

SaslExchange::SaslExchange(auth::AuthClient& auth, net::Connection& c, std::string_view service,
                           Done done)
    : auth_(auth), conn_(c), service_(service), done_(std::move(done)) {}

SaslExchange::~SaslExchange() {
  if (id_ != 0) auth_.cancel(id_);
}

void SaslExchange::start(std::string mechanism, std::optional<std::string> initial) {
  auth::AuthStart request;
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
  id_ = auth_.start(std::move(request), [this](auth::AuthStep s) { step(std::move(s)); });
}

void SaslExchange::start_plain(std::string_view user, std::string_view password) {
  start("PLAIN", str_cat(std::string_view("\0", 1), user, std::string_view("\0", 1), password));
}

void SaslExchange::step(auth::AuthStep s) {
  using Kind = auth::AuthStep::Kind;
  switch (s.kind) {
    case Kind::kContinue:
      conn_.send(str_cat("+ ", auth::base64_encode(s.data), "\r\n"));
      conn_.resume_input();
      return;
    case Kind::kOk:
      id_ = 0;
      account_ = s.account;
      if (s.has_data && !s.data.empty()) {
        awaiting_final_ = true;
        conn_.send(str_cat("+ ", auth::base64_encode(s.data), "\r\n"));
        conn_.resume_input();
        return;
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

void SaslExchange::on_line(std::string_view line) {
  if (line == "*") {  // RFC 9051 6.2.2, RFC 5034 4: the client cancels
    if (id_ != 0) auth_.abort(id_);
    id_ = 0;
    return finish({SaslOutcome::Kind::kCancelled, {}});
  }
  if (awaiting_final_) {
    if (!line.empty()) return finish({SaslOutcome::Kind::kBadResponse, {}});
    return finish({SaslOutcome::Kind::kOk, account_});
  }
  auto decoded = line == "=" ? Result<std::string>(std::string()) : auth::base64_decode(line);
  if (!decoded) {
    if (id_ != 0) auth_.abort(id_);
    id_ = 0;
    return finish({SaslOutcome::Kind::kBadResponse, {}});
  }
  conn_.pause_input();
  auth_.respond(id_, std::move(*decoded));
}

void SaslExchange::finish(SaslOutcome outcome) {
  awaiting_final_ = false;
  conn_.set_line_limit(conn_.config().size("line_length_limit"));
  conn_.resume_input();
  done_(std::move(outcome));  // may destroy this exchange
}

std::string offered_mechanism(std::string_view name, std::span<const std::string> offered) {
  std::string upper(name);
  for (char& ch : upper) ch = (ch >= 'a' && ch <= 'z') ? char(ch - 'a' + 'A') : ch;
  return std::find(offered.begin(), offered.end(), upper) != offered.end() ? upper : "";
}

}  // namespace gm::maa
