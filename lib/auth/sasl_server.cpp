#include "auth/sasl_server.hpp"

#include <algorithm>
#include <array>

#include "auth/plain_server.hpp"
#include "auth/scram_server.hpp"

namespace gm::auth {
namespace {

enum class Family { kScram, kPlain, kLogin };

// Every mechanism this server knows, in one table.
struct MechanismSpec {
  std::string_view name;
  Family family;
  ScramHash hash;  // kScram only
  bool plus;       // kScram only: needs channel binding
};

constexpr std::array<MechanismSpec, 6> kMechanisms{{
    {"SCRAM-SHA-256-PLUS", Family::kScram, ScramHash::kSha256, true},
    {"SCRAM-SHA-256", Family::kScram, ScramHash::kSha256, false},
    {"SCRAM-SHA-1-PLUS", Family::kScram, ScramHash::kSha1, true},
    {"SCRAM-SHA-1", Family::kScram, ScramHash::kSha1, false},
    {"PLAIN", Family::kPlain, ScramHash::kSha256, false},
    {"LOGIN", Family::kLogin, ScramHash::kSha256, false},
}};

std::string to_upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return (c >= 'a' && c <= 'z') ? c - 32 : c; });
  return out;
}

const MechanismSpec* find_mechanism(std::string_view name) {
  std::string upper = to_upper(name);
  for (const auto& spec : kMechanisms)
    if (spec.name == upper) return &spec;
  return nullptr;
}

bool allowed(const MechanismSpec& spec, bool secured, bool channel_binding) {
  if (spec.family != Family::kScram) return secured;
  return !spec.plus || (secured && channel_binding);
}

bool has_channel_binding(const SaslContext& context) {
  return (context.cb_type == kCbTlsExporter || context.cb_type == kCbTlsServerEndPoint) &&
         !context.cb_data.empty() && context.cb_data.size() <= kMaxCbData;
}

}  // namespace

std::unique_ptr<SaslServer> make_sasl_server(std::string_view mechanism, const SaslContext& context,
                                             CredentialLookup lookup) {
  const MechanismSpec* spec = find_mechanism(mechanism);
  if (spec == nullptr || !lookup) return nullptr;
  if (!allowed(*spec, context.secured, has_channel_binding(context))) return nullptr;
  switch (spec->family) {
    case Family::kScram:
      return make_scram_server(spec->hash, spec->plus, context, std::move(lookup));
    case Family::kPlain:
      return make_plain_server(std::move(lookup));
    case Family::kLogin:
      return make_login_server(std::move(lookup));
  }
  return nullptr;
}

std::vector<std::string> offered_mechanisms(const std::vector<std::string>& configured,
                                            bool secured, bool channel_binding_available) {
  std::vector<std::string> out;
  for (const auto& name : configured) {
    const MechanismSpec* spec = find_mechanism(name);
    if (spec == nullptr || !allowed(*spec, secured, channel_binding_available)) continue;
    if (std::find(out.begin(), out.end(), spec->name) != out.end()) continue;
    out.emplace_back(spec->name);
  }
  return out;
}

}  // namespace gm::auth
