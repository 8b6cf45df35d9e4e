#include <gtest/gtest.h>

#include "auth/base64.hpp"
#include "auth/fake_secret.hpp"
#include "auth/sasl_server.hpp"
#include "auth/scram_crypto.hpp"
#include "auth/scram_message.hpp"
#include "auth/scram_secret.hpp"
#include "auth/scram_server.hpp"
#include "core/str.hpp"

namespace gm::auth {
namespace {

using Kind = SaslStep::Kind;

ScramSecret rfc5802_secret() {
  return derive_scram_secret(ScramHash::kSha1, Secret("pencil"), *base64_decode("QSXCR+Q6sek8bf92"),
                             4096);
}

ScramSecret rfc7677_secret() {
  return derive_scram_secret(ScramHash::kSha256, Secret("pencil"),
                             *base64_decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
}

// One account "user" with both secrets, plus "suspended" (inactive) and
// "sha1only" (no SCRAM-SHA-256 secret).
CredentialLookup test_lookup() {
  return [](std::string_view name) -> std::optional<Credentials> {
    if (name == "user")
      return Credentials{"user@example.org", {rfc7677_secret(), rfc5802_secret()}, true};
    if (name == "suspended")
      return Credentials{"suspended@example.org", {rfc7677_secret(), rfc5802_secret()}, false};
    if (name == "sha1only") return Credentials{"sha1only@example.org", {rfc5802_secret()}, true};
    return std::nullopt;
  };
}

ScramNonceSource fixed_nonce(std::string nonce) {
  return [nonce] { return nonce; };
}

// The client side of RFC 5802 section 3, enough to drive the server.
struct TestClient {
  ScramHash hash = ScramHash::kSha256;
  std::string password = "pencil";
  std::string gs2_header = "n,,";
  std::string cb_data;  // appended to the GS2 header in c=
  std::string client_first_bare;

  std::string final_for(std::string_view server_first, std::string* server_signature = nullptr,
                        std::string_view nonce_override = {}) const {
    std::string nonce, salt;
    uint32_t iterations = 0;
    for (size_t start = 0; start < server_first.size();) {
      size_t comma = server_first.find(',', start);
      if (comma == std::string_view::npos) comma = server_first.size();
      std::string_view attr = server_first.substr(start, comma - start);
      if (attr.starts_with("r=")) nonce = attr.substr(2);
      if (attr.starts_with("s=")) salt = *base64_decode(attr.substr(2));
      if (attr.starts_with("i=")) iterations = *parse_number<uint32_t>(attr.substr(2));
      start = comma + 1;
    }
    if (!nonce_override.empty()) nonce = nonce_override;
    std::string without_proof = "c=" + base64_encode(gs2_header + cb_data) + ",r=" + nonce;
    std::string auth_message =
        client_first_bare + "," + std::string(server_first) + "," + without_proof;
    std::string salted = scram::hi(hash, password, salt, iterations);
    std::string client_key = scram::hmac(hash, salted, "Client Key");
    std::string stored_key = scram::hash(hash, client_key);
    std::string signature = scram::hmac(hash, stored_key, auth_message);
    std::string proof = scram::xor_bytes(client_key, signature);
    if (server_signature != nullptr)
      *server_signature = scram::hmac(hash, scram::hmac(hash, salted, "Server Key"), auth_message);
    return without_proof + ",p=" + base64_encode(proof);
  }
};

// ---- secrets --------------------------------------------------------------

TEST(ScramSecret, EncodesAndDecodes) {
  ScramSecret secret = rfc7677_secret();
  std::string text = encode_scram_secret(secret);
  EXPECT_TRUE(text.starts_with("SCRAM-SHA-256:4096:W22ZaJ0SNY7soEsUEjb6gQ==:")) << text;
  auto decoded = decode_scram_secret(text);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->hash, ScramHash::kSha256);
  EXPECT_EQ(decoded->iterations, 4096u);
  EXPECT_EQ(decoded->salt, secret.salt);
  EXPECT_EQ(decoded->stored_key, secret.stored_key);
  EXPECT_EQ(decoded->server_key, secret.server_key);

  auto sha1 = decode_scram_secret(encode_scram_secret(rfc5802_secret()));
  ASSERT_TRUE(sha1.ok());
  EXPECT_EQ(sha1->hash, ScramHash::kSha1);
  EXPECT_EQ(sha1->stored_key.size(), 20u);
}

TEST(ScramSecret, DecodeRejectsMalformedText) {
  std::string good = encode_scram_secret(rfc7677_secret());
  std::string sha1 = encode_scram_secret(rfc5802_secret());
  auto replace_field = [](std::string text, int index, std::string_view value) {
    size_t start = 0;
    for (int i = 0; i < index; ++i) start = text.find(':', start) + 1;
    size_t end = text.find(':', start);
    return text.replace(start, end == std::string::npos ? std::string::npos : end - start, value);
  };
  const std::string bad[] = {
      "",
      "SCRAM-SHA-256",
      replace_field(good, 0, "SCRAM-SHA-512"),
      replace_field(good, 0, "scram-sha-256"),
      replace_field(good, 1, "0"),
      replace_field(good, 1, "04096"),
      replace_field(good, 1, "-1"),
      replace_field(good, 1, "10000001"),
      replace_field(good, 1, "4096x"),
      replace_field(good, 2, ""),
      replace_field(good, 2, "W22ZaJ0SNY7soEsUEjb6gQ="),
      replace_field(good, 3, "AAAA"),  // StoredKey too short
      replace_field(good, 4, base64_encode(std::string(20, 'x'))),
      good + ":",
      good + ":extra",
      // A SHA-1 secret labelled SHA-256: key sizes do not match.
      "SCRAM-SHA-256" + sha1.substr(sha1.find(':')),
      good + std::string(kScramMaxEncodedSecret, 'A'),
  };
  for (const auto& text : bad) EXPECT_FALSE(decode_scram_secret(text).ok()) << text;
}

TEST(ScramSecret, MakeUsesRandomSaltAndMatchesItsPassword) {
  ScramSecret a = make_scram_secret(ScramHash::kSha256, Secret("correct horse"), 4096);
  ScramSecret b = make_scram_secret(ScramHash::kSha256, Secret("correct horse"), 4096);
  EXPECT_EQ(a.salt.size(), kScramSaltSize);
  EXPECT_NE(a.salt, b.salt);
  EXPECT_NE(a.stored_key, b.stored_key);
  EXPECT_TRUE(password_matches(a, Secret("correct horse")));
  EXPECT_TRUE(password_matches(b, Secret("correct horse")));
  EXPECT_FALSE(password_matches(a, Secret("correct horsf")));
  EXPECT_FALSE(password_matches(a, Secret("")));
  ScramSecret sha1 = make_scram_secret(ScramHash::kSha1, Secret("pw"), 10);
  EXPECT_TRUE(password_matches(sha1, Secret("pw")));
  EXPECT_FALSE(password_matches(sha1, Secret("pW")));
}

TEST(ScramSecret, PasswordMatchesRefusesBrokenSecrets) {
  ScramSecret secret = rfc7677_secret();
  secret.iterations = 0;
  EXPECT_FALSE(password_matches(secret, Secret("pencil")));
  secret = rfc7677_secret();
  secret.stored_key.pop_back();
  EXPECT_FALSE(password_matches(secret, Secret("pencil")));
}

// ---- RFC test vectors -------------------------------------------------------

TEST(ScramServer, Rfc5802Sha1ExchangeMatchesByteForByte) {
  auto server = make_scram_server(ScramHash::kSha1, false, SaslContext{}, test_lookup(),
                                  fixed_nonce("3rfcNHYJY1ZVvWVs7j"));
  ASSERT_TRUE(server);
  SaslStep first = server->step("n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL");
  ASSERT_EQ(first.kind, Kind::kChallenge) << first.reason;
  EXPECT_EQ(first.data, "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096");
  SaslStep final_step = server->step(
      "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=");
  ASSERT_EQ(final_step.kind, Kind::kSuccess) << final_step.reason;
  EXPECT_EQ(final_step.data, "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=");
  EXPECT_EQ(final_step.account, "user@example.org");
  // The exchange is over.
  EXPECT_EQ(server->step("").kind, Kind::kFailure);
}

TEST(ScramServer, Rfc7677Sha256ExchangeMatchesByteForByte) {
  auto server = make_scram_server(ScramHash::kSha256, false, SaslContext{}, test_lookup(),
                                  fixed_nonce("%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"));
  ASSERT_TRUE(server);
  SaslStep first = server->step("n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
  ASSERT_EQ(first.kind, Kind::kChallenge) << first.reason;
  EXPECT_EQ(first.data,
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
  SaslStep final_step = server->step(
      "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
      "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
  ASSERT_EQ(final_step.kind, Kind::kSuccess) << final_step.reason;
  EXPECT_EQ(final_step.data, "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
  EXPECT_EQ(final_step.account, "user@example.org");
}

TEST(ScramServer, EmptyInitialResponseGetsEmptyChallenge) {
  auto server = make_scram_server(ScramHash::kSha1, false, SaslContext{}, test_lookup(),
                                  fixed_nonce("3rfcNHYJY1ZVvWVs7j"));
  SaslStep empty = server->step("");
  EXPECT_EQ(empty.kind, Kind::kChallenge);
  EXPECT_EQ(empty.data, "");
  SaslStep first = server->step("n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL");
  EXPECT_EQ(first.kind, Kind::kChallenge);
  EXPECT_TRUE(first.data.starts_with("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,"));
}

TEST(ScramServer, RandomServerNonceIsLongAndFresh) {
  auto a = make_sasl_server("SCRAM-SHA-256", SaslContext{}, test_lookup());
  auto b = make_sasl_server("SCRAM-SHA-256", SaslContext{}, test_lookup());
  std::string fa = a->step("n,,n=user,r=abc").data;
  std::string fb = b->step("n,,n=user,r=abc").data;
  std::string na = fa.substr(5, fa.find(',') - 5);
  std::string nb = fb.substr(5, fb.find(',') - 5);
  EXPECT_GE(base64_decode(na)->size(), 18u);
  EXPECT_NE(na, nb);
}

// ---- a generic exchange ------------------------------------------------------

struct Exchange {
  SaslStep first;
  SaslStep last;
};

Exchange run(std::string_view mechanism, const SaslContext& context, const TestClient& client,
             std::string_view client_first) {
  auto server = make_sasl_server(mechanism, context, test_lookup());
  EXPECT_TRUE(server) << mechanism;
  if (!server) return {};
  Exchange e;
  e.first = server->step(client_first);
  if (e.first.kind != Kind::kChallenge) return e;
  e.last = server->step(client.final_for(e.first.data));
  return e;
}

TestClient client_for(ScramHash hash, std::string gs2_header, std::string bare,
                      std::string cb_data = {}) {
  TestClient c;
  c.hash = hash;
  c.gs2_header = std::move(gs2_header);
  c.client_first_bare = std::move(bare);
  c.cb_data = std::move(cb_data);
  return c;
}

TEST(ScramServer, SucceedsWithTheRightPasswordAndSendsServerSignature) {
  SaslContext context;
  TestClient client = client_for(ScramHash::kSha256, "n,,", "n=user,r=clientnonce123");
  auto server = make_sasl_server("scram-sha-256", context, test_lookup());
  ASSERT_TRUE(server);
  SaslStep first = server->step("n,,n=user,r=clientnonce123");
  ASSERT_EQ(first.kind, Kind::kChallenge);
  std::string expected_signature;
  SaslStep last = server->step(client.final_for(first.data, &expected_signature));
  ASSERT_EQ(last.kind, Kind::kSuccess) << last.reason;
  EXPECT_EQ(last.data, "v=" + base64_encode(expected_signature));
}

TEST(ScramServer, WrongProofFails) {
  TestClient client = client_for(ScramHash::kSha256, "n,,", "n=user,r=abc");
  client.password = "pencil2";
  Exchange e = run("SCRAM-SHA-256", {}, client, "n,,n=user,r=abc");
  ASSERT_EQ(e.first.kind, Kind::kChallenge);
  EXPECT_EQ(e.last.kind, Kind::kFailure);
  EXPECT_EQ(e.last.account, "user@example.org");
  EXPECT_EQ(e.last.data, "");
  EXPECT_EQ(e.last.reason.find("pencil"), std::string::npos);
}

TEST(ScramServer, TamperedNonceFails) {
  auto server = make_sasl_server("SCRAM-SHA-256", {}, test_lookup());
  SaslStep first = server->step("n,,n=user,r=abc");
  TestClient client = client_for(ScramHash::kSha256, "n,,", "n=user,r=abc");
  std::string nonce = first.data.substr(2, first.data.find(',') - 2);
  SaslStep last = server->step(client.final_for(first.data, nullptr, nonce + "x"));
  EXPECT_EQ(last.kind, Kind::kFailure);
  EXPECT_EQ(last.reason, "nonce mismatch");
}

TEST(ScramServer, ProofForAnotherExchangeFails) {
  // A proof computed over a different server-first message (replay).
  auto server = make_sasl_server("SCRAM-SHA-256", {}, test_lookup());
  SaslStep first = server->step("n,,n=user,r=abc");
  TestClient client = client_for(ScramHash::kSha256, "n,,", "n=user,r=abd");
  SaslStep last = server->step(client.final_for(first.data));
  EXPECT_EQ(last.kind, Kind::kFailure);
}

TEST(ScramServer, RejectsMalformedClientMessages) {
  const char* bad_first[] = {
      "",  // after the empty challenge, an empty message is an error
  };
  auto server = make_sasl_server("SCRAM-SHA-256", {}, test_lookup());
  ASSERT_EQ(server->step("").kind, Kind::kChallenge);
  EXPECT_EQ(server->step(bad_first[0]).kind, Kind::kFailure);

  for (const char* message : {
           "x,,n=user,r=abc",
           "n,n=user,r=abc",
           "n,,r=abc,n=user",
           "n,,n=user",
           "n,,n=,r=abc",
           "n,,n=us=2Cer=,r=abc",  // bad escape at the end
           "n,,n=us=2cer,r=abc",   // lower-case escape
           "n,,n=us=41er,r=abc",   // other escape
           "n,,n=user,r=",
           "n,,n=user,r=a b",
           "n,,m=ext,n=user,r=abc",  // unknown mandatory extension
           "n,,n=user,r=abc,m=x",
           "n,,n=user,r=abc,",
           "n,,n=user,r=abc,1=x",
           "n,b=x,n=user,r=abc",
           "p=,,n=user,r=abc",
       }) {
    auto s = make_sasl_server("SCRAM-SHA-256", {}, test_lookup());
    EXPECT_EQ(s->step(message).kind, Kind::kFailure) << message;
  }
  std::string long_name = "n,,n=" + std::string(300, 'a') + ",r=abc";
  EXPECT_EQ(make_sasl_server("SCRAM-SHA-256", {}, test_lookup())->step(long_name).kind,
            Kind::kFailure);
  std::string nul = std::string("n,,n=us\0er,r=abc", 16);
  EXPECT_EQ(make_sasl_server("SCRAM-SHA-256", {}, test_lookup())->step(nul).kind, Kind::kFailure);
}

TEST(ScramServer, RejectsMalformedClientFinal) {
  for (const char* tail : {"", ",p=AAAA", ",x=1", ",m=1,p=AAAA"}) {
    auto server = make_sasl_server("SCRAM-SHA-256", {}, test_lookup());
    SaslStep first = server->step("n,,n=user,r=abc");
    std::string nonce = first.data.substr(2, first.data.find(',') - 2);
    std::string message = "c=biws,r=" + nonce + tail;
    EXPECT_EQ(server->step(message).kind, Kind::kFailure) << message;
  }
}

TEST(ScramServer, IgnoresUnknownOptionalExtensions) {
  TestClient client = client_for(ScramHash::kSha256, "n,,", "n=user,r=abc,x=whatever");
  Exchange e = run("SCRAM-SHA-256", {}, client, "n,,n=user,r=abc,x=whatever");
  EXPECT_EQ(e.last.kind, Kind::kSuccess) << e.last.reason;
}

TEST(ScramServer, DecodesEscapedUsernames) {
  std::string seen;
  CredentialLookup lookup = [&seen](std::string_view name) -> std::optional<Credentials> {
    seen = name;
    return std::nullopt;
  };
  auto server = make_sasl_server("SCRAM-SHA-256", {}, lookup);
  server->step("n,,n=a=2Cb=3Dc,r=abc");
  EXPECT_EQ(seen, "a,b=c");
  EXPECT_EQ(scram::encode_saslname("a,b=c"), "a=2Cb=3Dc");
}

TEST(ScramServer, AuthzidMustEqualAuthcid) {
  TestClient client = client_for(ScramHash::kSha256, "n,a=user,", "n=user,r=abc");
  Exchange same = run("SCRAM-SHA-256", {}, client, "n,a=user,n=user,r=abc");
  EXPECT_EQ(same.last.kind, Kind::kSuccess) << same.last.reason;

  auto server = make_sasl_server("SCRAM-SHA-256", {}, test_lookup());
  SaslStep step = server->step("n,a=admin,n=user,r=abc");
  EXPECT_EQ(step.kind, Kind::kFailure);
  EXPECT_NE(step.reason.find("authorization identity"), std::string::npos);
}

TEST(ScramServer, GsHeaderInChannelBindingMustMatch) {
  // The client claims "y" in c= after sending "n" first.
  TestClient client = client_for(ScramHash::kSha256, "y,,", "n=user,r=abc");
  auto server = make_sasl_server("SCRAM-SHA-256", {}, test_lookup());
  SaslStep first = server->step("n,,n=user,r=abc");
  EXPECT_EQ(server->step(client.final_for(first.data)).kind, Kind::kFailure);
}

// ---- channel binding -------------------------------------------------------------

SaslContext tls_context(std::string type = std::string(kCbTlsExporter)) {
  SaslContext context;
  context.secured = true;
  context.cb_type = std::move(type);
  context.cb_data = std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8) + std::string(24, 'k');
  return context;
}

TEST(ScramChannelBinding, PlusSucceedsWithMatchingBinding) {
  SaslContext context = tls_context();
  for (auto [mechanism, hash] : {std::pair{"SCRAM-SHA-256-PLUS", ScramHash::kSha256},
                                 std::pair{"SCRAM-SHA-1-PLUS", ScramHash::kSha1}}) {
    TestClient client = client_for(hash, "p=tls-exporter,,", "n=user,r=abc", context.cb_data);
    Exchange e = run(mechanism, context, client, "p=tls-exporter,,n=user,r=abc");
    ASSERT_EQ(e.first.kind, Kind::kChallenge) << e.first.reason;
    EXPECT_EQ(e.last.kind, Kind::kSuccess) << mechanism << ": " << e.last.reason;
  }
  SaslContext endpoint = tls_context(std::string(kCbTlsServerEndPoint));
  TestClient client = client_for(ScramHash::kSha256, "p=tls-server-end-point,a=user,",
                                 "n=user,r=abc", endpoint.cb_data);
  Exchange e =
      run("SCRAM-SHA-256-PLUS", endpoint, client, "p=tls-server-end-point,a=user,n=user,r=abc");
  EXPECT_EQ(e.last.kind, Kind::kSuccess) << e.last.reason;
}

TEST(ScramChannelBinding, WrongBindingDataFails) {
  SaslContext context = tls_context();
  std::string other = context.cb_data;
  other[0] ^= 1;
  TestClient client = client_for(ScramHash::kSha256, "p=tls-exporter,,", "n=user,r=abc", other);
  Exchange e = run("SCRAM-SHA-256-PLUS", context, client, "p=tls-exporter,,n=user,r=abc");
  ASSERT_EQ(e.first.kind, Kind::kChallenge);
  EXPECT_EQ(e.last.kind, Kind::kFailure);
  EXPECT_EQ(e.last.reason, "channel-binding data mismatch");
}

TEST(ScramChannelBinding, MissingBindingDataInCFails) {
  SaslContext context = tls_context();
  TestClient client = client_for(ScramHash::kSha256, "p=tls-exporter,,", "n=user,r=abc", "");
  Exchange e = run("SCRAM-SHA-256-PLUS", context, client, "p=tls-exporter,,n=user,r=abc");
  EXPECT_EQ(e.last.kind, Kind::kFailure);
}

TEST(ScramChannelBinding, WrongTypeFails) {
  SaslContext context = tls_context();
  auto server = make_sasl_server("SCRAM-SHA-256-PLUS", context, test_lookup());
  SaslStep step = server->step("p=tls-server-end-point,,n=user,r=abc");
  EXPECT_EQ(step.kind, Kind::kFailure);
  server = make_sasl_server("SCRAM-SHA-256-PLUS", context, test_lookup());
  EXPECT_EQ(server->step("p=tls-unique,,n=user,r=abc").kind, Kind::kFailure);
}

TEST(ScramChannelBinding, PlusWithoutPFlagFails) {
  SaslContext context = tls_context();
  for (const char* message : {"n,,n=user,r=abc", "y,,n=user,r=abc"}) {
    auto server = make_sasl_server("SCRAM-SHA-256-PLUS", context, test_lookup());
    EXPECT_EQ(server->step(message).kind, Kind::kFailure) << message;
  }
}

TEST(ScramChannelBinding, YFlagIsADowngradeWhenServerOffersPlus) {
  SaslContext context = tls_context();
  auto server = make_sasl_server("SCRAM-SHA-256", context, test_lookup());
  SaslStep step = server->step("y,,n=user,r=abc");
  EXPECT_EQ(step.kind, Kind::kFailure);
  EXPECT_NE(step.reason.find("downgrade"), std::string::npos);

  // Without channel binding on this connection, "y" is fine.
  SaslContext plain_tls;
  plain_tls.secured = true;
  TestClient client = client_for(ScramHash::kSha256, "y,,", "n=user,r=abc");
  Exchange e = run("SCRAM-SHA-256", plain_tls, client, "y,,n=user,r=abc");
  EXPECT_EQ(e.last.kind, Kind::kSuccess) << e.last.reason;
}

TEST(ScramChannelBinding, PFlagWithNonPlusMechanismFails) {
  SaslContext context = tls_context();
  auto server = make_sasl_server("SCRAM-SHA-256", context, test_lookup());
  EXPECT_EQ(server->step("p=tls-exporter,,n=user,r=abc").kind, Kind::kFailure);
}

TEST(ScramChannelBinding, NFlagWithNonPlusMechanismSucceedsUnderTls) {
  SaslContext context = tls_context();
  TestClient client = client_for(ScramHash::kSha256, "n,,", "n=user,r=abc");
  Exchange e = run("SCRAM-SHA-256", context, client, "n,,n=user,r=abc");
  EXPECT_EQ(e.last.kind, Kind::kSuccess) << e.last.reason;
}

TEST(ScramChannelBinding, PlusNeedsTlsAndSupportedBinding) {
  SaslContext context = tls_context();
  EXPECT_TRUE(make_sasl_server("SCRAM-SHA-256-PLUS", context, test_lookup()));
  context.secured = false;
  EXPECT_FALSE(make_sasl_server("SCRAM-SHA-256-PLUS", context, test_lookup()));
  EXPECT_FALSE(make_sasl_server("SCRAM-SHA-256-PLUS", tls_context("tls-unique"), test_lookup()));
  SaslContext no_data = tls_context();
  no_data.cb_data.clear();
  EXPECT_FALSE(make_sasl_server("SCRAM-SHA-1-PLUS", no_data, test_lookup()));
}

// ---- accounts that cannot succeed -------------------------------------------------

TEST(ScramServer, UnknownUserRunsAFakeExchangeAndFails) {
  auto known = make_sasl_server("SCRAM-SHA-256", {}, test_lookup());
  auto unknown = make_sasl_server("SCRAM-SHA-256", {}, test_lookup());
  SaslStep known_first = known->step("n,,n=user,r=abc");
  SaslStep unknown_first = unknown->step("n,,n=nobody,r=abc");
  ASSERT_EQ(unknown_first.kind, Kind::kChallenge);
  // Same shape: r=<32 bytes of nonce>,s=<16-byte salt>,i=4096.
  EXPECT_EQ(unknown_first.data.size(), known_first.data.size());
  EXPECT_TRUE(unknown_first.data.ends_with(",i=4096"));
  std::string salt = unknown_first.data.substr(unknown_first.data.find(",s=") + 3);
  salt = salt.substr(0, salt.find(','));
  EXPECT_EQ(base64_decode(salt)->size(), kScramSaltSize);

  // The fake salt is stable for a name and differs between names.
  auto again = make_sasl_server("SCRAM-SHA-256", {}, test_lookup());
  std::string again_first = again->step("n,,n=nobody,r=abc").data;
  EXPECT_EQ(again_first.substr(again_first.find(",s=")),
            unknown_first.data.substr(unknown_first.data.find(",s=")));
  auto other = make_sasl_server("SCRAM-SHA-256", {}, test_lookup());
  std::string other_first = other->step("n,,n=nobody2,r=abc").data;
  EXPECT_NE(other_first.substr(other_first.find(",s=")),
            unknown_first.data.substr(unknown_first.data.find(",s=")));

  TestClient client = client_for(ScramHash::kSha256, "n,,", "n=nobody,r=abc");
  SaslStep last = unknown->step(client.final_for(unknown_first.data));
  EXPECT_EQ(last.kind, Kind::kFailure);
  EXPECT_EQ(last.reason, "unknown user");
  EXPECT_EQ(last.account, "nobody");
}

TEST(ScramServer, FakeSaltFollowsTheConfiguredKey) {
  ScramSecret a = fake_scram_secret(ScramHash::kSha256, "nobody");
  set_fake_secret_key(Secret(std::string(32, 'k')));
  ScramSecret b = fake_scram_secret(ScramHash::kSha256, "nobody");
  ScramSecret c = fake_scram_secret(ScramHash::kSha256, "nobody");
  EXPECT_NE(a.salt, b.salt);
  EXPECT_EQ(b.salt, c.salt);
  EXPECT_NE(fake_scram_secret(ScramHash::kSha1, "nobody").salt, b.salt);
}

TEST(ScramServer, SuspendedUserFailsEvenWithTheRightPassword) {
  TestClient client = client_for(ScramHash::kSha256, "n,,", "n=suspended,r=abc");
  Exchange e = run("SCRAM-SHA-256", {}, client, "n,,n=suspended,r=abc");
  ASSERT_EQ(e.first.kind, Kind::kChallenge);
  EXPECT_EQ(e.last.kind, Kind::kFailure);
  EXPECT_EQ(e.last.reason, "account suspended");
  EXPECT_EQ(e.last.account, "suspended@example.org");
}

TEST(ScramServer, AccountWithoutSecretOfThisHashFails) {
  TestClient client = client_for(ScramHash::kSha256, "n,,", "n=sha1only,r=abc");
  Exchange e = run("SCRAM-SHA-256", {}, client, "n,,n=sha1only,r=abc");
  ASSERT_EQ(e.first.kind, Kind::kChallenge);
  EXPECT_EQ(e.last.kind, Kind::kFailure);
  TestClient sha1 = client_for(ScramHash::kSha1, "n,,", "n=sha1only,r=abc");
  Exchange ok = run("SCRAM-SHA-1", {}, sha1, "n,,n=sha1only,r=abc");
  EXPECT_EQ(ok.last.kind, Kind::kSuccess) << ok.last.reason;
}

TEST(ScramServer, UsernameGoesThroughSaslprep) {
  std::string seen;
  CredentialLookup lookup = [&seen](std::string_view name) -> std::optional<Credentials> {
    seen = name;
    return std::nullopt;
  };
  // U+00AD SOFT HYPHEN maps to nothing (RFC 4013 2.2 / RFC 3454 B.1).
  make_sasl_server("SCRAM-SHA-256", {}, lookup)
      ->step(
          "n,,n=us\xc2\xad"
          "er,r=abc");
  EXPECT_EQ(seen, "user");
  // A control character is prohibited.
  auto server = make_sasl_server("SCRAM-SHA-256", {}, lookup);
  EXPECT_EQ(server
                ->step("n,,n=us\x07"
                       "er,r=abc")
                .kind,
            Kind::kFailure);
}

}  // namespace
}  // namespace gm::auth
