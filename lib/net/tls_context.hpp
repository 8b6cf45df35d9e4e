// Server-side TLS (OpenSSL 3): one SSL_CTX built from gm.conf's tls_* keys,
// TLS 1.2 and 1.3 only, no compression, no renegotiation, the server's
// cipher order. A reload builds a new context; connections already open
// keep the one they started with (each SSL holds a reference).
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "core/config.hpp"
#include "core/result.hpp"

namespace gm::net {

struct TlsSettings {
  std::string cert_file;     // PEM chain, leaf first
  std::string key_file;      // PEM private key
  std::string ciphers;       // TLS 1.2 cipher list
  std::string ciphersuites;  // TLS 1.3 suites
  static TlsSettings from_config(const core::Config& config);
};

struct SslCtxDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};

class TlsContext {
 public:
  // Fails with OpenSSL's reasons (bad file, key not matching the cert,
  // unknown cipher) so the caller can keep an older context.
  static Result<std::shared_ptr<TlsContext>> load(const TlsSettings& settings);

  SSL_CTX* get() const { return ctx_.get(); }
  const TlsSettings& settings() const { return settings_; }

 private:
  TlsContext(std::unique_ptr<SSL_CTX, SslCtxDeleter> ctx, TlsSettings settings)
      : ctx_(std::move(ctx)), settings_(std::move(settings)) {}
  std::unique_ptr<SSL_CTX, SslCtxDeleter> ctx_;
  TlsSettings settings_;
};

// Drains OpenSSL's error queue into one line of text.
std::string openssl_errors();

}  // namespace gm::net
