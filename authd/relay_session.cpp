#include "relay_session.hpp"

#include <algorithm>

#include "core/log.hpp"
#include "core/str.hpp"
#include "directory_lookup.hpp"

namespace gm::authd {
namespace {

// The public reasons; the log line carries the precise one.
constexpr std::string_view kReasonFailed = "authentication failed";
constexpr std::string_view kReasonThrottled = "throttled";
constexpr std::string_view kReasonUnavailable = "mechanism not available";
constexpr std::string_view kReasonTemporary = "temporary failure";
constexpr std::string_view kReasonProtocol = "protocol error";

std::string reply(const auth::AuthReplyMessage& message) {
  return auth::format_reply(message) + "\n";
}

std::string fail_reply(uint32_t id, std::string_view reason, bool temporary = false) {
  return reply(auth::FailReply{id, temporary, std::string(reason)});
}

// A value a client chose, made unable to forge another key=value field.
std::string log_field(std::string_view value) {
  std::string out = printable(value, 320);
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c == ' ' || c == '"'; }, '?');
  return out.empty() ? "-" : out;
}

// One line per attempt that ended; never a password, proof or response.
void log_attempt(std::string_view result, std::string_view service, std::string_view remote_ip,
                 std::string_view account, std::string_view mechanism, std::string_view reason) {
  std::string line = str_cat("auth result=", result, " service=", service,
                             " rip=", remote_ip.empty() ? "local" : remote_ip,
                             " user=", log_field(account), " mech=", mechanism);
  if (!reason.empty()) line += str_cat(" reason=\"", reason, "\"");
  log::info(line);
}

// The id of a line the codec refused, when it has a well-formed one.
std::optional<uint32_t> salvage_id(std::string_view line) {
  size_t start = line.find('\t');
  if (start == std::string_view::npos) return std::nullopt;
  std::string_view rest = line.substr(start + 1);
  std::string_view text = rest.substr(0, rest.find('\t'));
  if (text.empty() || text.size() > 10 || text[0] == '0') return std::nullopt;
  auto id = parse_number<uint32_t>(text);
  if (!id || *id > auth::kMaxAuthId) return std::nullopt;
  return id;
}

}  // namespace

std::string RelaySession::on_line(std::string_view line) {
  Result<auth::AuthRequestMessage> request = auth::parse_request(line);
  if (!request) return on_protocol_error(line, request.error());
  return std::visit(
      [this](const auto& message) -> std::string {
        using T = std::decay_t<decltype(message)>;
        if constexpr (std::is_same_v<T, auth::MechsRequest>)
          return on_mechs(message);
        else if constexpr (std::is_same_v<T, auth::AuthRequest>)
          return on_auth(message);
        else if constexpr (std::is_same_v<T, auth::ContinueRequest>)
          return on_continue(message);
        else if constexpr (std::is_same_v<T, auth::AbortRequest>)
          return on_abort(message);
        else
          return on_lookup(message);
      },
      *request);
}

// A daemon that sends a line this long is broken: say so and hang up.
std::string RelaySession::on_line_too_long() {
  log::warning("relay client sent an over-long line; closing the connection");
  return "ERROR\treason=line too long\n";
}

// The exchange the line names, if any, ends; a line naming none gets ERROR.
std::string RelaySession::on_protocol_error(std::string_view line, const Error& error) {
  log::warning(str_cat("relay client: ", error.message));
  std::optional<uint32_t> id = salvage_id(line);
  if (!id) return str_cat("ERROR\treason=", kReasonProtocol, "\n");
  exchanges_.erase(*id);
  return fail_reply(*id, kReasonProtocol);
}

std::string RelaySession::on_mechs(const auth::MechsRequest& request) {
  return reply(auth::MechsReply{
      request.id, auth::offered_mechanisms(service_.settings().mechanisms, request.secured,
                                           request.channel_binding)});
}

std::string RelaySession::on_auth(const auth::AuthRequest& request) {
  if (exchanges_.contains(request.id)) return fail_reply(request.id, "id in use");
  if (exchanges_.size() >= kMaxExchangesPerConnection)
    return fail_reply(request.id, "too many exchanges", true);
  auto exchange = std::make_unique<Exchange>();
  exchange->mechanism = request.mechanism;
  exchange->service = request.service;
  exchange->remote_ip = request.remote_ip;
  // An address over the limit is refused before anything else is looked at.
  if (service_.throttle().address_throttled(auth::throttle_address_key(request.remote_ip)))
    return throttled(request.id, *exchange);

  bool channel_binding = !request.cb_type.empty();
  std::vector<std::string> offered =
      auth::offered_mechanisms(service_.settings().mechanisms, request.secured, channel_binding);
  std::string upper = request.mechanism;
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  if (std::find(offered.begin(), offered.end(), upper) == offered.end())
    return fail(request.id, *exchange, kReasonUnavailable, false);
  bool plus_offered = std::any_of(offered.begin(), offered.end(),
                                  [](const std::string& m) { return m.ends_with("-PLUS"); });
  auth::SaslContext context;
  context.secured = request.secured;
  if (plus_offered) {  // sasl_server.hpp: no -PLUS offered, no binding data
    context.cb_type = request.cb_type;
    context.cb_data = request.cb_data;
  }
  LookupNotes* notes = &exchange->notes;
  AuthService* service = &service_;
  exchange->server = auth::make_sasl_server(
      request.mechanism, context,
      [service, notes](std::string_view authcid) { return service->lookup(authcid, *notes); });
  if (!exchange->server) return fail(request.id, *exchange, kReasonUnavailable, false);

  Exchange& stored = *exchanges_.emplace(request.id, std::move(exchange)).first->second;
  if (!request.initial_response) {
    // RFC 4422 5: no initial response; an empty challenge asks for it.
    stored.awaiting_initial_response = true;
    return reply(auth::ContinueReply{request.id, ""});
  }
  return step(request.id, *request.initial_response);
}

std::string RelaySession::on_continue(const auth::ContinueRequest& request) {
  auto it = exchanges_.find(request.id);
  if (it == exchanges_.end()) return fail_reply(request.id, "no such exchange");
  it->second->awaiting_initial_response = false;
  return step(request.id, request.response);
}

std::string RelaySession::on_abort(const auth::AbortRequest& request) {
  auto it = exchanges_.find(request.id);
  if (it == exchanges_.end()) return fail_reply(request.id, "no such exchange");
  const Exchange& exchange = *it->second;
  // RFC 4422 3.5: the client gave up; not a failed guess, so not counted.
  log_attempt("aborted", exchange.service, exchange.remote_ip, exchange.notes.account,
              exchange.mechanism, "aborted by the client");
  exchanges_.erase(it);
  return fail_reply(request.id, "aborted");
}

std::string RelaySession::on_lookup(const auth::LookupRequest& request) {
  std::string line = auth::format_reply(answer_lookup(service_.directory(), request));
  if (line.size() > auth::kMaxAliasLineLength) {
    log::error(str_cat("lookup ", log_field(request.address), ": alias has too many targets"));
    return fail_reply(request.id, "alias too large");
  }
  return line + "\n";
}

std::string RelaySession::step(uint32_t id, std::string_view message) {
  Exchange& exchange = *exchanges_.at(id);
  auth::SaslStep result = exchange.server->step(message);
  // The lookup ran inside step(): its notes overrule the mechanism's verdict.
  if (exchange.notes.account_throttled) return throttled(id, exchange);
  if (exchange.notes.directory_failed) {
    log_attempt("failure", exchange.service, exchange.remote_ip, exchange.notes.account,
                exchange.mechanism, "user directory unavailable");
    exchanges_.erase(id);
    return fail_reply(id, kReasonTemporary, true);
  }
  switch (result.kind) {
    case auth::SaslStep::Kind::kChallenge:
      return reply(auth::ContinueReply{id, result.data});
    case auth::SaslStep::Kind::kSuccess:
      return succeed(id, exchange, result);
    case auth::SaslStep::Kind::kFailure:
      if (exchange.notes.account.empty() && !result.account.empty())
        exchange.notes.account = to_lower(result.account);
      return fail(id, exchange, result.reason.empty() ? kReasonFailed : result.reason, true);
  }
  return fail(id, exchange, kReasonFailed, true);
}

std::string RelaySession::succeed(uint32_t id, Exchange& exchange, const auth::SaslStep& result) {
  if (exchange.notes.suspended)  // the mechanism should have refused; be sure
    return fail(id, exchange, "account suspended", true);
  service_.throttle().record_success(exchange.notes.account);
  log_attempt("success", exchange.service, exchange.remote_ip, result.account, exchange.mechanism,
              "");
  auth::OkReply ok{id, result.account, std::nullopt};
  if (!result.data.empty()) ok.additional_data = result.data;
  exchanges_.erase(id);
  return reply(ok);
}

// counted: a wrong credential (counted by the throttle), not a refused mechanism.
std::string RelaySession::fail(uint32_t id, Exchange& exchange, std::string_view reason,
                               bool counted) {
  log_attempt("failure", exchange.service, exchange.remote_ip, exchange.notes.account,
              exchange.mechanism, reason);
  if (counted)
    service_.throttle().record_failure(auth::throttle_address_key(exchange.remote_ip),
                                       exchange.notes.account);
  exchanges_.erase(id);
  return fail_reply(id, counted ? kReasonFailed : kReasonUnavailable);
}

std::string RelaySession::throttled(uint32_t id, const Exchange& exchange) {
  log_attempt("throttled", exchange.service, exchange.remote_ip, exchange.notes.account,
              exchange.mechanism, "too many failures");
  exchanges_.erase(id);
  return fail_reply(id, kReasonThrottled, true);
}

}  // namespace gm::authd
