#include "auth/scram_server.hpp"

#include "auth/base64.hpp"
#include "auth/fake_secret.hpp"
#include "auth/saslprep.hpp"
#include "auth/scram_crypto.hpp"
#include "auth/scram_message.hpp"
#include "core/str.hpp"

namespace gm::auth {
namespace {

using scram::CbFlag;

bool is_printable_nonce(std::string_view s) {
  for (char c : s)
    if (c < 0x21 || c > 0x7e || c == ',') return false;
  return !s.empty();
}

bool secret_is_usable(const ScramSecret& s, ScramHash hash) {
  size_t n = scram::digest_size(hash);
  return s.hash == hash && s.iterations >= 1 && s.iterations <= kScramMaxIterations &&
         !s.salt.empty() && s.stored_key.size() == n && s.server_key.size() == n;
}

class ScramServer final : public SaslServer {
 public:
  ScramServer(ScramHash hash, bool plus, const SaslContext& context, CredentialLookup lookup,
              ScramNonceSource nonce_source)
      : hash_(hash),
        plus_(plus),
        context_(context),
        lookup_(std::move(lookup)),
        nonce_source_(std::move(nonce_source)) {}

  ~ScramServer() override {
    scram::wipe(secret_.stored_key);
    scram::wipe(secret_.server_key);
  }

  SaslStep step(std::string_view message) override {
    switch (state_) {
      case State::kStart:
        // No initial response: send an empty challenge and wait for the
        // client-first message (RFC 4422 section 3.3).
        if (message.empty()) {
          state_ = State::kAwaitClientFirst;
          return SaslStep{SaslStep::Kind::kChallenge, {}, {}, {}};
        }
        return on_client_first(message);
      case State::kAwaitClientFirst:
        return on_client_first(message);
      case State::kAwaitClientFinal:
        return on_client_final(message);
      case State::kDone:
        break;
    }
    return fail("message after the exchange ended");
  }

 private:
  enum class State { kStart, kAwaitClientFirst, kAwaitClientFinal, kDone };

  SaslStep fail(std::string reason) {
    state_ = State::kDone;
    return SaslStep{SaslStep::Kind::kFailure, {}, account_, std::move(reason)};
  }

  bool server_offers_plus() const { return !context_.cb_type.empty() && !context_.cb_data.empty(); }

  // RFC 5802 section 6 and 7 (gs2-cbind-flag).
  Status check_cb_flag(const scram::ClientFirst& first) const {
    if (plus_) {
      if (first.cb_flag != CbFlag::kUsed)
        return make_error("-PLUS mechanism without channel binding (gs2 flag n or y)");
      if (first.cb_name != context_.cb_type)
        return make_error(str_cat("channel-binding type not available here: ",
                                  printable(first.cb_name, scram::kMaxCbNameLength)));
      return {};
    }
    if (first.cb_flag == CbFlag::kUsed)
      return make_error("channel binding requested with a non-PLUS mechanism");
    if (first.cb_flag == CbFlag::kThinksUnsupported && server_offers_plus())
      return make_error("channel-binding downgrade: client says y but -PLUS is offered");
    return {};
  }

  // Chooses the secret to run the exchange with; for an identity that
  // cannot succeed, a fake one, and the reason is kept for the end.
  void choose_secret(std::string_view username) {
    std::optional<Credentials> credentials = lookup_(username);
    account_ = credentials ? credentials->account : std::string(username);
    if (credentials) {
      for (const auto& s : credentials->secrets)
        if (secret_is_usable(s, hash_)) {
          secret_ = s;
          if (!credentials->active) deferred_failure_ = "account suspended";
          return;
        }
      deferred_failure_ =
          str_cat("account has no usable ", scram::mechanism_name(hash_), " secret");
    } else {
      deferred_failure_ = "unknown user";
    }
    secret_ = fake_scram_secret(hash_, username);
  }

  Result<std::string> server_nonce() const {
    if (!nonce_source_) return base64_encode(scram::random_bytes(kScramServerNonceBytes));
    std::string nonce = nonce_source_();
    if (!is_printable_nonce(nonce)) return make_error("internal: bad server nonce");
    return nonce;
  }

  SaslStep on_client_first(std::string_view message) {
    auto first = scram::parse_client_first(message);
    if (!first) return fail(str_cat("malformed client-first message: ", first.error().message));
    account_ = printable(first->username, scram::kMaxNameLength);
    if (auto s = check_cb_flag(*first); !s) return fail(s.error().message);

    auto username = saslprep(first->username, SaslprepKind::kQuery);
    if (!username) return fail(str_cat("username: ", username.error().message));
    if (!first->authzid.empty()) {
      auto authzid = saslprep(first->authzid, SaslprepKind::kQuery);
      if (!authzid || *authzid != *username)
        return fail("authorization identity differs from authentication identity");
    }
    auto nonce = server_nonce();
    if (!nonce) return fail(nonce.error().message);

    choose_secret(*username);
    gs2_header_ = std::move(first->gs2_header);
    cb_used_ = first->cb_flag == CbFlag::kUsed;
    client_first_bare_ = std::move(first->bare);
    nonce_ = first->nonce + *nonce;
    server_first_ =
        str_cat("r=", nonce_, ",s=", base64_encode(secret_.salt), ",i=", secret_.iterations);
    state_ = State::kAwaitClientFinal;
    return SaslStep{SaslStep::Kind::kChallenge, server_first_, {}, {}};
  }

  SaslStep on_client_final(std::string_view message) {
    auto final_message = scram::parse_client_final(message);
    if (!final_message)
      return fail(str_cat("malformed client-final message: ", final_message.error().message));
    if (final_message->nonce != nonce_) return fail("nonce mismatch");
    // RFC 5802 section 7: c= is base64(gs2-header [cbind-data]).
    std::string expected_binding = gs2_header_ + (cb_used_ ? context_.cb_data : std::string());
    if (!scram::equal_constant_time(final_message->channel_binding, expected_binding))
      return fail(cb_used_ ? "channel-binding data mismatch" : "GS2 header mismatch in c=");
    if (final_message->proof.size() != scram::digest_size(hash_)) return fail("bad proof length");

    std::string auth_message =
        str_cat(client_first_bare_, ',', server_first_, ',', final_message->without_proof);
    bool proof_ok = verify_proof(auth_message, final_message->proof);
    // Runs for fake and real secrets alike, so the timing tells nothing.
    std::string server_signature = scram::hmac(hash_, secret_.server_key, auth_message);
    if (!deferred_failure_.empty()) return fail(deferred_failure_);
    if (!proof_ok) return fail("wrong password (ClientProof mismatch)");
    state_ = State::kDone;
    return SaslStep{SaslStep::Kind::kSuccess, "v=" + base64_encode(server_signature), account_, {}};
  }

  // RFC 5802 section 3: ClientKey = ClientProof XOR HMAC(StoredKey,
  // AuthMessage); the proof is right when H(ClientKey) equals StoredKey.
  bool verify_proof(std::string_view auth_message, std::string_view proof) const {
    std::string signature = scram::hmac(hash_, secret_.stored_key, auth_message);
    std::string client_key = scram::xor_bytes(proof, signature);
    bool ok = scram::equal_constant_time(scram::hash(hash_, client_key), secret_.stored_key);
    scram::wipe(client_key);
    return ok;
  }

  const ScramHash hash_;
  const bool plus_;
  const SaslContext context_;
  const CredentialLookup lookup_;
  const ScramNonceSource nonce_source_;
  State state_ = State::kStart;
  ScramSecret secret_;
  std::string account_;
  std::string deferred_failure_;
  std::string gs2_header_;
  bool cb_used_ = false;
  std::string client_first_bare_;
  std::string nonce_;
  std::string server_first_;
};

}  // namespace

std::unique_ptr<SaslServer> make_scram_server(ScramHash hash, bool plus, const SaslContext& context,
                                              CredentialLookup lookup,
                                              ScramNonceSource nonce_source) {
  if (!lookup) return nullptr;
  return std::make_unique<ScramServer>(hash, plus, context, std::move(lookup),
                                       std::move(nonce_source));
}

}  // namespace gm::auth
