#include "net/tls_context.hpp"

#include <openssl/err.h>

#include "core/str.hpp"

namespace gm::net {

TlsSettings TlsSettings::from_config(const core::Config& config) {
  return {config.path("tls_cert_file"), config.path("tls_key_file"), config.string("tls_ciphers"),
          config.string("tls_ciphersuites")};
}

std::string openssl_errors() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    if (!text.empty()) text += "; ";
    text += buf;
  }
  return text.empty() ? "unknown OpenSSL error" : text;
}

Result<std::shared_ptr<TlsContext>> TlsContext::load(const TlsSettings& settings) {
  ERR_clear_error();
  std::unique_ptr<SSL_CTX, SslCtxDeleter> ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) return make_error(str_cat("TLS context: ", openssl_errors()));
  SSL_CTX* c = ctx.get();
  SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(c, TLS1_3_VERSION);
  uint64_t options =
      SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE;
#ifdef SSL_OP_NO_CLIENT_RENEGOTIATION
  options |= SSL_OP_NO_CLIENT_RENEGOTIATION;
#endif
  SSL_CTX_set_options(c, options);
  // Idle connections (IMAP IDLE) should not each keep 2 x 16K of buffers.
  SSL_CTX_set_mode(c, SSL_MODE_RELEASE_BUFFERS);
  if (SSL_CTX_set_cipher_list(c, settings.ciphers.c_str()) != 1)
    return make_error(
        str_cat("tls_ciphers '", printable(settings.ciphers), "': ", openssl_errors()));
  if (SSL_CTX_set_ciphersuites(c, settings.ciphersuites.c_str()) != 1)
    return make_error(
        str_cat("tls_ciphersuites '", printable(settings.ciphersuites), "': ", openssl_errors()));
  if (SSL_CTX_use_certificate_chain_file(c, settings.cert_file.c_str()) != 1)
    return make_error(str_cat("tls_cert_file ", settings.cert_file, ": ", openssl_errors()));
  if (SSL_CTX_use_PrivateKey_file(c, settings.key_file.c_str(), SSL_FILETYPE_PEM) != 1)
    return make_error(str_cat("tls_key_file ", settings.key_file, ": ", openssl_errors()));
  if (SSL_CTX_check_private_key(c) != 1)
    return make_error(str_cat("tls_key_file ", settings.key_file, " does not match tls_cert_file ",
                              settings.cert_file, ": ", openssl_errors()));
  return std::shared_ptr<TlsContext>(new TlsContext(std::move(ctx), settings));
}

}  // namespace gm::net
