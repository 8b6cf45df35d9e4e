#include "auth/password_check.hpp"

#include "auth/fake_secret.hpp"
#include "auth/saslprep.hpp"
#include "core/str.hpp"

namespace gm::auth {
namespace {

SaslStep failure(std::string account, std::string reason) {
  return SaslStep{SaslStep::Kind::kFailure, {}, std::move(account), std::move(reason)};
}

const ScramSecret* pick_secret(const Credentials& credentials) {
  for (ScramHash hash : {ScramHash::kSha256, ScramHash::kSha1})
    for (const auto& s : credentials.secrets)
      if (s.hash == hash && s.iterations >= 1 && s.iterations <= kScramMaxIterations) return &s;
  return nullptr;
}

}  // namespace

SaslStep check_password(const CredentialLookup& lookup, std::string_view authcid,
                        const Secret& password) {
  std::string tried = printable(authcid, 255);
  auto name = saslprep(authcid, SaslprepKind::kQuery);
  if (!name) return failure(tried, str_cat("username: ", name.error().message));
  auto prepared = saslprep_password(password, SaslprepKind::kQuery);
  if (!prepared) return failure(tried, str_cat("password: ", prepared.error().message));

  std::optional<Credentials> credentials = lookup(*name);
  const ScramSecret* secret = credentials ? pick_secret(*credentials) : nullptr;
  if (secret == nullptr) {
    // Same work as a real check, then fail.
    (void)password_matches(fake_scram_secret(ScramHash::kSha256, *name), *prepared);
    return failure(credentials ? credentials->account : *name,
                   credentials ? "account has no usable SCRAM secret" : "unknown user");
  }
  bool ok = password_matches(*secret, *prepared);
  if (!ok) return failure(credentials->account, "wrong password");
  if (!credentials->active) return failure(credentials->account, "account suspended");
  return SaslStep{SaslStep::Kind::kSuccess, {}, credentials->account, {}};
}

}  // namespace gm::auth
