// One network daemon's connection to the SASL relay socket (authd(8),
// RELAY PROTOCOL; codec in auth/auth_protocol.hpp). Many exchanges may run
// at once, each under the id the daemon chose. Every attempt that ends is
// logged on one line and counted by the throttle.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "auth/auth_protocol.hpp"
#include "auth/sasl_server.hpp"
#include "auth_service.hpp"
#include "line_connection.hpp"

namespace gm::authd {

// Exchanges one connection may hold open at once.
inline constexpr size_t kMaxExchangesPerConnection = 256;

class RelaySession final : public LineProtocol {
 public:
  explicit RelaySession(AuthService& service) : service_(service) {}

  std::string on_line(std::string_view line) override;
  std::string on_line_too_long() override;

 private:
  struct Exchange {
    std::unique_ptr<auth::SaslServer> server;
    std::string mechanism;
    std::string service;
    std::string remote_ip;
    LookupNotes notes;
    bool awaiting_initial_response = false;
  };

  std::string on_mechs(const auth::MechsRequest& request);
  std::string on_auth(const auth::AuthRequest& request);
  std::string on_continue(const auth::ContinueRequest& request);
  std::string on_abort(const auth::AbortRequest& request);
  std::string on_lookup(const auth::LookupRequest& request);
  std::string on_protocol_error(std::string_view line, const Error& error);

  // Feeds one client message to the mechanism and answers with its result.
  std::string step(uint32_t id, std::string_view message);
  std::string succeed(uint32_t id, Exchange& exchange, const auth::SaslStep& result);
  std::string fail(uint32_t id, Exchange& exchange, std::string_view reason, bool counted);
  std::string throttled(uint32_t id, const Exchange& exchange);

  AuthService& service_;
  std::map<uint32_t, std::unique_ptr<Exchange>> exchanges_;
};

}  // namespace gm::authd
