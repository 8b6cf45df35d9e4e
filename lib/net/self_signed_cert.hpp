// A self-signed certificate for tests, demos and first installs: an ECDSA
// P-256 key and an X.509 v3 certificate naming the domain, its mail host
// and localhost (subjectAltName), so clients that check names can connect.
#pragma once

#include <string>
#include <vector>

#include "core/result.hpp"

namespace gm::net {

struct SelfSignedCert {
  std::string certificate_pem;
  std::string private_key_pem;
};

Result<SelfSignedCert> make_self_signed_cert(const std::vector<std::string>& dns_names, int days);

}  // namespace gm::net
