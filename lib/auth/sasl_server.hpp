// The server side of SASL (RFC 4422): one object per authentication
// exchange. Only authd creates these; network daemons relay the exchange's
// messages to authd and never see a secret (DESIGN.md, Processes and trust).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/scram_secret.hpp"

namespace gm::auth {

// What authd knows of an account when a mechanism asks for it.
struct Credentials {
  std::string account;               // canonical user@domain
  std::vector<ScramSecret> secrets;  // one per SCRAM hash
  bool active = true;                // false: suspended
};

// Looks an authentication identity up: the username as the client gave it,
// after SCRAM's =2C/=3D unescaping and SASLprep (RFC 4013, query rules).
// Case and domain folding, if any, are the lookup's business.
using CredentialLookup = std::function<std::optional<Credentials>(std::string_view authcid)>;

// Channel-binding types (IANA "Channel-Binding Types" registry) that -PLUS
// mechanisms accept: RFC 9266 (TLS 1.3 and 1.2 with extended master
// secret) and RFC 5929 section 4. tls-unique is not offered (unsafe with
// TLS 1.3 and renegotiation).
inline constexpr std::string_view kCbTlsExporter = "tls-exporter";
inline constexpr std::string_view kCbTlsServerEndPoint = "tls-server-end-point";
inline constexpr size_t kMaxCbData = 128;  // exporter: 32 bytes; end-point: a hash

// What the relaying daemon tells authd about the connection.
struct SaslContext {
  bool secured = false;  // inside TLS
  std::string cb_type;   // "tls-exporter" or "tls-server-end-point"; empty: none
  std::string cb_data;   // the channel-binding bytes for cb_type (binary)
};

struct SaslStep {
  enum class Kind { kChallenge, kSuccess, kFailure };
  Kind kind = Kind::kFailure;
  std::string data;     // challenge, or additional data sent with success (SCRAM server-final)
  std::string account;  // on success the canonical account; on failure the name tried, if known
  std::string reason;   // on failure, for the log (never a secret)
};

class SaslServer {
 public:
  virtual ~SaslServer() = default;
  // Feeds the client's next message (decoded, binary); the first call gets
  // the initial response, which may be empty.
  virtual SaslStep step(std::string_view client_message) = 0;
};

// nullptr for an unknown mechanism or one not allowed in this context
// (PLAIN/LOGIN outside TLS, -PLUS without TLS or without channel-binding data
// of a supported type), or for an empty lookup. Mechanism names compare
// case-insensitively. When the context carries channel-binding data, the
// server is taken to offer -PLUS on this connection, so a SCRAM client that
// sends the "y" flag is refused as a downgrade (RFC 5802 section 6): authd
// must leave cb_type/cb_data empty when no -PLUS mechanism is offered.
std::unique_ptr<SaslServer> make_sasl_server(std::string_view mechanism, const SaslContext& context,
                                             CredentialLookup lookup);

// The configured mechanisms that may be offered on this connection, in the
// configured order: plaintext ones only when secured, -PLUS ones only when
// secured and channel binding is available. Names are returned upper-case;
// unknown names and repeats are dropped.
std::vector<std::string> offered_mechanisms(const std::vector<std::string>& configured,
                                            bool secured, bool channel_binding_available);

}  // namespace gm::auth
