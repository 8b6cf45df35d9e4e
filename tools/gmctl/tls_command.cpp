// gmctl tls selfsigned --domain D [--out DIR] [--days N]: writes cert.pem and
// key.pem (mode 0600) for the domain, mail.D and localhost.
#include <cstdio>

#include "command.hpp"
#include "core/durable_file.hpp"
#include "core/str.hpp"
#include "net/self_signed_cert.hpp"
#include "options.hpp"

namespace gm::gmctl {

Status write_self_signed_cert(const std::string& domain, const std::string& directory, int days) {
  auto cert = net::make_self_signed_cert({domain, "mail." + domain, "localhost"}, days);
  if (!cert) return cert.error();
  if (auto s = core::make_directories(directory, 0755); !s) return s;
  if (auto s = core::write_file_durably(directory + "/key.pem", cert->private_key_pem, 0600); !s)
    return s;
  return core::write_file_durably(directory + "/cert.pem", cert->certificate_pem, 0644);
}

int run_tls(Context& context) {
  Options options(context.args);
  if (options.word(0) != "selfsigned") return usage_error("usage: gmctl tls selfsigned --domain D [--out DIR] [--days N]");
  std::string domain = options.value("--domain");
  std::string out = options.value("--out");
  auto days = parse_number<int>(options.value("--days", "825"));
  if (!options.error().empty()) return usage_error(options.error());
  if (domain.empty()) return usage_error("--domain is required");
  if (!days || *days < 1 || *days > 3650) return usage_error("--days must be 1..3650");
  if (out.empty()) {
    auto config = context.load_config();
    if (!config) return failure(config.error().message);
    out = core::parent_directory(config->path("tls_cert_file"));
  }
  if (auto status = write_self_signed_cert(domain, out, *days); !status)
    return failure(status.error().message);
  std::printf("%s/cert.pem\n%s/key.pem\n", out.c_str(), out.c_str());
  return kExitOk;
}

}  // namespace gm::gmctl
