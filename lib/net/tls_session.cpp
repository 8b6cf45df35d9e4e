#include "net/tls_session.hpp"

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "net/tls_context.hpp"

namespace gm::net {

std::string tls_version(const SSL* ssl) {
  return SSL_get_version(ssl);
}

std::string tls_cipher(const SSL* ssl) {
  const char* name = SSL_get_cipher_name(ssl);
  return name != nullptr ? name : "";
}

Result<std::string> tls_exporter(SSL* ssl) {
  if (SSL_version(ssl) != TLS1_3_VERSION) return make_error("tls-exporter needs TLS 1.3");
  std::string out(kTlsExporterLength, '\0');
  if (SSL_export_keying_material(ssl, reinterpret_cast<unsigned char*>(out.data()), out.size(),
                                 kTlsExporterLabel, sizeof kTlsExporterLabel - 1, nullptr, 0,
                                 0) != 1)
    return make_error("tls-exporter: " + openssl_errors());
  return out;
}

Result<std::string> tls_server_end_point(const SSL* ssl) {
  X509* cert = SSL_get_certificate(ssl);  // ours; not a new reference
  if (cert == nullptr) return make_error("tls-server-end-point: no server certificate");
  int md_nid = NID_undef, pkey_nid = NID_undef;
  if (OBJ_find_sigid_algs(X509_get_signature_nid(cert), &md_nid, &pkey_nid) != 1 ||
      md_nid == NID_undef)
    return make_error("tls-server-end-point: certificate signature has no single hash (RFC 5929)");
  if (md_nid == NID_md5 || md_nid == NID_sha1) md_nid = NID_sha256;
  const EVP_MD* md = EVP_get_digestbynid(md_nid);
  if (md == nullptr) return make_error("tls-server-end-point: unknown hash");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (X509_digest(cert, md, digest, &length) != 1)
    return make_error("tls-server-end-point: " + openssl_errors());
  return std::string(reinterpret_cast<char*>(digest), length);
}

Result<ChannelBinding> channel_binding(SSL* ssl) {
  if (SSL_version(ssl) == TLS1_3_VERSION) {
    auto data = tls_exporter(ssl);
    if (!data) return data.error();
    return ChannelBinding{"tls-exporter", std::move(*data)};
  }
  auto data = tls_server_end_point(ssl);
  if (!data) return data.error();
  return ChannelBinding{"tls-server-end-point", std::move(*data)};
}

}  // namespace gm::net
