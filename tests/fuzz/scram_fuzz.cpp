// Fuzzes the SCRAM server with arbitrary client-first and client-final
// messages against a fixed account. Input: one mode byte, then up to three
// messages separated by '\n' (client-first, client-final, one more). The server
// nonce is fixed ("SRVNONCE") so the fuzzer can reach the proof check.
//   mode bit 0: SHA-1 instead of SHA-256
//   mode bit 1: the -PLUS variant (context carries tls-exporter data)
//   mode bit 2: context carries channel-binding data for a non-PLUS mechanism
//   mode bit 3: send an empty initial response first
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "auth/sasl_server.hpp"
#include "auth/scram_secret.hpp"
#include "auth/scram_server.hpp"

namespace {

using gm::auth::ScramHash;

// Two iterations: the fuzzer explores parsing, not key stretching.
const gm::auth::Credentials& account() {
  static const gm::auth::Credentials credentials{
      "user@example.org",
      {gm::auth::derive_scram_secret(ScramHash::kSha256, gm::Secret("pencil"), "saltsaltsaltsalt",
                                     2),
       gm::auth::derive_scram_secret(ScramHash::kSha1, gm::Secret("pencil"), "saltsaltsaltsalt",
                                     2)},
      true};
  return credentials;
}

std::optional<gm::auth::Credentials> lookup(std::string_view name) {
  if (name == "user") return account();
  return std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  uint8_t mode = data[0];
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);

  ScramHash hash = (mode & 1) ? ScramHash::kSha1 : ScramHash::kSha256;
  bool plus = (mode & 2) != 0;
  gm::auth::SaslContext context;
  context.secured = true;
  if (plus || (mode & 4)) {
    context.cb_type = std::string(gm::auth::kCbTlsExporter);
    context.cb_data = std::string(32, '\x5a');
  }
  auto server = gm::auth::make_scram_server(hash, plus, context, lookup,
                                            [] { return std::string("SRVNONCE"); });
  if (!server) std::abort();

  using Kind = gm::auth::SaslStep::Kind;
  if ((mode & 8) && server->step("").kind != Kind::kChallenge) std::abort();
  // Up to three messages; once the exchange has ended, every step fails.
  bool ended = false;
  for (int i = 0; i < 3; ++i) {
    size_t newline = input.find('\n');
    gm::auth::SaslStep step = server->step(input.substr(0, newline));
    input = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
    if (ended && step.kind != Kind::kFailure) std::abort();
    if (step.kind == Kind::kSuccess &&
        (step.account != "user@example.org" || !step.data.starts_with("v=")))
      std::abort();
    if (step.kind != Kind::kChallenge) ended = true;
  }
  return 0;
}
