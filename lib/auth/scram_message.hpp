// Parsers for the two SCRAM client messages (RFC 5802 section 7 grammar),
// with explicit limits. The server logic is in scram_server.cpp.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace gm::auth::scram {

inline constexpr size_t kMaxClientFirstLength = 1024;
// The final message repeats the GS2 header and carries channel-binding
// data, both base64-encoded in c=, so it may be longer.
inline constexpr size_t kMaxClientFinalLength = 2048;
inline constexpr size_t kMaxNameLength = 255;         // decoded username / authzid, bytes
inline constexpr size_t kMaxClientNonceLength = 256;  // printable characters
inline constexpr size_t kMaxCbNameLength = 64;
inline constexpr size_t kMaxChannelBinding = 1024;  // decoded c= bytes
inline constexpr size_t kMaxAttributes = 16;        // per message

// gs2-cbind-flag (RFC 5802 section 7).
enum class CbFlag {
  kNotSupported,       // "n": the client does not support channel binding
  kThinksUnsupported,  // "y": the client does, but thinks the server does not
  kUsed,               // "p=<cb-name>"
};

struct ClientFirst {
  CbFlag cb_flag = CbFlag::kNotSupported;
  std::string cb_name;     // with kUsed
  std::string authzid;     // decoded; empty when absent
  std::string gs2_header;  // exactly as received, through the second comma
  std::string bare;        // client-first-message-bare, exactly as received
  std::string username;    // decoded (=2C, =3D), not yet SASLprep'ed
  std::string nonce;       // the client's nonce
};

struct ClientFinal {
  std::string channel_binding;  // c=, decoded
  std::string nonce;            // r=
  std::string without_proof;    // client-final-message-without-proof, as received
  std::string proof;            // p=, decoded
};

// Error texts describe the fault and never quote the message.
Result<ClientFirst> parse_client_first(std::string_view message);
Result<ClientFinal> parse_client_final(std::string_view message);

// saslname (RFC 5802 section 5.1): "=2C" is ',', "=3D" is '=', and any other
// '=' is an error, as are NUL, ',' and the empty name.
Result<std::string> decode_saslname(std::string_view text);
// The inverse, for clients and tests.
std::string encode_saslname(std::string_view name);

}  // namespace gm::auth::scram
