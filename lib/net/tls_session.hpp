// What a protocol may learn about an established TLS session: version and
// cipher (for Received headers, RFC 5321 4.4 / RFC 8314 4.3) and
// channel-binding data for SASL *-PLUS mechanisms.
#pragma once

#include <openssl/ssl.h>

#include <string>

#include "core/result.hpp"

namespace gm::net {

inline constexpr size_t kTlsExporterLength = 32;  // RFC 9266 2
inline constexpr char kTlsExporterLabel[] = "EXPORTER-Channel-Binding";

struct ChannelBinding {
  std::string type;  // "tls-exporter" or "tls-server-end-point" (RFC 5056 names)
  std::string data;  // binary
};

std::string tls_version(const SSL* ssl);  // "TLSv1.3"
std::string tls_cipher(const SSL* ssl);   // "TLS_AES_256_GCM_SHA384"

// RFC 9266: 32 bytes of keying material with label EXPORTER-Channel-Binding
// and an empty context. Only under TLS 1.3 (RFC 9266 4.2: TLS 1.2 without
// extended master secret makes it unsafe, so we do not offer it there).
Result<std::string> tls_exporter(SSL* ssl);

// RFC 5929 4.1: hash of our certificate (DER) with the hash of its
// signature algorithm; SHA-256 where that is MD5 or SHA-1.
Result<std::string> tls_server_end_point(const SSL* ssl);

// The binding a server should use on this session: tls-exporter under
// TLS 1.3, else tls-server-end-point.
Result<ChannelBinding> channel_binding(SSL* ssl);

}  // namespace gm::net
