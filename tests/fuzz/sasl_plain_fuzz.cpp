// Fuzzes PLAIN and LOGIN with arbitrary messages against a fixed account.
// Input: one mode byte (bit 0: LOGIN instead of PLAIN), then up to three
// messages separated by '\n' (LOGIN: user name, password; PLAIN: one
// message, which may hold NULs).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "auth/sasl_server.hpp"
#include "auth/scram_secret.hpp"

namespace {

std::optional<gm::auth::Credentials> lookup(std::string_view name) {
  static const gm::auth::ScramSecret secret = gm::auth::derive_scram_secret(
      gm::auth::ScramHash::kSha256, gm::Secret("pencil"), "saltsaltsaltsalt", 2);
  if (name == "user") return gm::auth::Credentials{"user@example.org", {secret}, true};
  return std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  gm::auth::SaslContext context;
  context.secured = true;
  auto server = gm::auth::make_sasl_server((data[0] & 1) ? "LOGIN" : "PLAIN", context, lookup);
  if (!server) std::abort();
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  bool done = false;
  for (int i = 0; i < 3 && !done; ++i) {
    size_t newline = input.find('\n');
    auto step = server->step(input.substr(0, newline));
    done = step.kind != gm::auth::SaslStep::Kind::kChallenge;
    if (step.kind == gm::auth::SaslStep::Kind::kSuccess && step.account != "user@example.org")
      std::abort();
    input = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  }
  return 0;
}
