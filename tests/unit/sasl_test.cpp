#include <gtest/gtest.h>

#include "auth/plain_server.hpp"
#include "auth/sasl_server.hpp"
#include "auth/saslprep.hpp"
#include "auth/scram_secret.hpp"

namespace gm::auth {
namespace {

using Kind = SaslStep::Kind;
using namespace std::string_literals;

// Few iterations: these tests check logic, not cost.
ScramSecret secret_for(std::string_view password, ScramHash hash = ScramHash::kSha256) {
  return derive_scram_secret(hash, Secret(std::string(password)), "0123456789abcdef", 64);
}

CredentialLookup test_lookup() {
  return [](std::string_view name) -> std::optional<Credentials> {
    if (name == "alice") return Credentials{"alice@example.org", {secret_for("wonderland")}, true};
    if (name == "bob")
      return Credentials{"bob@example.org", {secret_for("builder", ScramHash::kSha1)}, true};
    if (name == "carol") return Credentials{"carol@example.org", {secret_for("secret")}, false};
    if (name == "dave") return Credentials{"dave@example.org", {}, true};
    return std::nullopt;
  };
}

SaslContext tls() {
  SaslContext c;
  c.secured = true;
  return c;
}

SaslStep plain(std::string_view message, SaslContext context = tls()) {
  auto server = make_sasl_server("PLAIN", context, test_lookup());
  EXPECT_TRUE(server);
  return server ? server->step(message) : SaslStep{};
}

// ---- PLAIN ------------------------------------------------------------------

TEST(SaslPlain, RefusedOutsideTls) {
  EXPECT_EQ(make_sasl_server("PLAIN", SaslContext{}, test_lookup()), nullptr);
  EXPECT_EQ(make_sasl_server("LOGIN", SaslContext{}, test_lookup()), nullptr);
  EXPECT_NE(make_sasl_server("PLAIN", tls(), test_lookup()), nullptr);
  EXPECT_NE(make_sasl_server("login", tls(), test_lookup()), nullptr);
}

TEST(SaslPlain, AcceptsTheRightPassword) {
  SaslStep step = plain("\0alice\0wonderland"s);
  EXPECT_EQ(step.kind, Kind::kSuccess) << step.reason;
  EXPECT_EQ(step.account, "alice@example.org");
  EXPECT_EQ(step.data, "");
}

TEST(SaslPlain, AcceptsAuthzidEqualToAuthcid) {
  EXPECT_EQ(plain("alice\0alice\0wonderland"s).kind, Kind::kSuccess);
}

TEST(SaslPlain, RejectsADifferentAuthzid) {
  SaslStep step = plain("bob\0alice\0wonderland"s);
  EXPECT_EQ(step.kind, Kind::kFailure);
  EXPECT_NE(step.reason.find("authorization identity"), std::string::npos);
}

TEST(SaslPlain, RejectsAWrongPasswordWithoutQuotingIt) {
  SaslStep step = plain("\0alice\0Wonderland"s);
  EXPECT_EQ(step.kind, Kind::kFailure);
  EXPECT_EQ(step.reason, "wrong password");
  EXPECT_EQ(step.account, "alice@example.org");
  EXPECT_EQ(step.reason.find("onderland"), std::string::npos);
}

TEST(SaslPlain, ChecksSha1SecretWhenThatIsAllThereIs) {
  EXPECT_EQ(plain("\0bob\0builder"s).kind, Kind::kSuccess);
  EXPECT_EQ(plain("\0bob\0builder!"s).kind, Kind::kFailure);
}

TEST(SaslPlain, UnknownSuspendedAndSecretlessUsersFail) {
  SaslStep unknown = plain("\0nobody\0wonderland"s);
  EXPECT_EQ(unknown.kind, Kind::kFailure);
  EXPECT_EQ(unknown.reason, "unknown user");
  EXPECT_EQ(unknown.account, "nobody");
  SaslStep suspended = plain("\0carol\0secret"s);
  EXPECT_EQ(suspended.kind, Kind::kFailure);
  EXPECT_EQ(suspended.reason, "account suspended");
  EXPECT_EQ(plain("\0dave\0x"s).kind, Kind::kFailure);
}

TEST(SaslPlain, RejectsMalformedMessages) {
  for (const std::string& message :
       {"alice\0wonderland"s, "\0alice\0wonderland\0"s, "\0\0wonderland"s, "\0alice\0"s,
        "no nuls at all"s, "\0alice\0"s + std::string(kMaxPlainMessage, 'x')})
    EXPECT_EQ(plain(message).kind, Kind::kFailure) << message.size();
}

TEST(SaslPlain, EmptyInitialResponseGetsEmptyChallenge) {
  auto server = make_sasl_server("PLAIN", tls(), test_lookup());
  SaslStep challenge = server->step("");
  EXPECT_EQ(challenge.kind, Kind::kChallenge);
  EXPECT_EQ(challenge.data, "");
  EXPECT_EQ(server->step("\0alice\0wonderland"s).kind, Kind::kSuccess);
  EXPECT_EQ(server->step("\0alice\0wonderland"s).kind, Kind::kFailure);  // over
}

TEST(SaslPlain, PasswordGoesThroughSaslprep) {
  // RFC 4013 section 3: U+00A0 NO-BREAK SPACE maps to SPACE, so a password
  // stored as "a b" also matches when typed with a no-break space.
  CredentialLookup lookup = [](std::string_view name) -> std::optional<Credentials> {
    if (name == "erin") return Credentials{"erin@example.org", {secret_for("a b")}, true};
    return std::nullopt;
  };
  auto server = make_sasl_server("PLAIN", tls(), lookup);
  EXPECT_EQ(server
                ->step("\0erin\0a\xc2\xa0"
                       "b"s)
                .kind,
            Kind::kSuccess);
  server = make_sasl_server("PLAIN", tls(), lookup);
  EXPECT_EQ(server
                ->step("\0erin\0a\x01"
                       "b"s)
                .kind,
            Kind::kFailure);  // control: prohibited
}

// ---- LOGIN ------------------------------------------------------------------

TEST(SaslLogin, PromptsForUserAndPassword) {
  auto server = make_sasl_server("LOGIN", tls(), test_lookup());
  ASSERT_TRUE(server);
  SaslStep user = server->step("");
  EXPECT_EQ(user.kind, Kind::kChallenge);
  EXPECT_EQ(user.data, "Username:");
  SaslStep password = server->step("alice");
  EXPECT_EQ(password.kind, Kind::kChallenge);
  EXPECT_EQ(password.data, "Password:");
  SaslStep result = server->step("wonderland");
  EXPECT_EQ(result.kind, Kind::kSuccess) << result.reason;
  EXPECT_EQ(result.account, "alice@example.org");
}

TEST(SaslLogin, AcceptsUserNameAsInitialResponse) {
  auto server = make_sasl_server("LOGIN", tls(), test_lookup());
  EXPECT_EQ(server->step("alice").data, "Password:");
  EXPECT_EQ(server->step("wonderland").kind, Kind::kSuccess);
}

TEST(SaslLogin, WrongPasswordAndEmptyFieldsFail) {
  auto server = make_sasl_server("LOGIN", tls(), test_lookup());
  server->step("alice");
  EXPECT_EQ(server->step("wonderlanD").kind, Kind::kFailure);
  server = make_sasl_server("LOGIN", tls(), test_lookup());
  server->step("");
  EXPECT_EQ(server->step("").kind, Kind::kFailure);
  server = make_sasl_server("LOGIN", tls(), test_lookup());
  server->step("alice");
  EXPECT_EQ(server->step("").kind, Kind::kFailure);
  server = make_sasl_server("LOGIN", tls(), test_lookup());
  server->step("alice");
  EXPECT_EQ(server->step(std::string(kMaxLoginField + 1, 'x')).kind, Kind::kFailure);
}

// ---- the factory and the offer -------------------------------------------------

TEST(SaslServerFactory, UnknownMechanismsAndMissingLookupGiveNull) {
  EXPECT_EQ(make_sasl_server("CRAM-MD5", tls(), test_lookup()), nullptr);
  EXPECT_EQ(make_sasl_server("", tls(), test_lookup()), nullptr);
  EXPECT_EQ(make_sasl_server("SCRAM-SHA-512", tls(), test_lookup()), nullptr);
  EXPECT_EQ(make_sasl_server("SCRAM-SHA-256", tls(), CredentialLookup{}), nullptr);
  EXPECT_NE(make_sasl_server("SCRAM-SHA-1", SaslContext{}, test_lookup()), nullptr);
}

TEST(OfferedMechanisms, KeepsConfiguredOrderAndFilters) {
  std::vector<std::string> configured = {"PLAIN", "SCRAM-SHA-256-PLUS", "SCRAM-SHA-256",
                                         "LOGIN", "SCRAM-SHA-1",        "SCRAM-SHA-1-PLUS"};
  EXPECT_EQ(offered_mechanisms(configured, false, false),
            (std::vector<std::string>{"SCRAM-SHA-256", "SCRAM-SHA-1"}));
  EXPECT_EQ(offered_mechanisms(configured, true, false),
            (std::vector<std::string>{"PLAIN", "SCRAM-SHA-256", "LOGIN", "SCRAM-SHA-1"}));
  EXPECT_EQ(offered_mechanisms(configured, true, true), configured);
  // Channel binding needs TLS anyway.
  EXPECT_EQ(offered_mechanisms(configured, false, true),
            (std::vector<std::string>{"SCRAM-SHA-256", "SCRAM-SHA-1"}));
}

TEST(OfferedMechanisms, DropsUnknownAndRepeatedNamesAndUpperCases) {
  EXPECT_EQ(
      offered_mechanisms({"scram-sha-256", "CRAM-MD5", "SCRAM-SHA-256", "plain", ""}, true, false),
      (std::vector<std::string>{"SCRAM-SHA-256", "PLAIN"}));
  EXPECT_TRUE(offered_mechanisms({}, true, true).empty());
}

// ---- SASLprep -----------------------------------------------------------------

TEST(Saslprep, Rfc4013Examples) {
  // RFC 4013 section 3.
  EXPECT_EQ(*saslprep("I\xc2\xad"
                      "X",
                      SaslprepKind::kQuery),
            "IX");  // SOFT HYPHEN
  EXPECT_EQ(*saslprep("user", SaslprepKind::kQuery), "user");
  EXPECT_EQ(*saslprep("USER", SaslprepKind::kQuery), "USER");        // case preserved
  EXPECT_EQ(*saslprep("\xc2\xaa", SaslprepKind::kQuery), "a");       // U+00AA, NFKC
  EXPECT_EQ(*saslprep("\xe2\x85\xa8", SaslprepKind::kQuery), "IX");  // U+2168, NFKC
  EXPECT_FALSE(saslprep("\x07", SaslprepKind::kQuery).ok());         // prohibited
  EXPECT_FALSE(saslprep("\xd8\xa7"
                        "1",
                        SaslprepKind::kQuery)
                   .ok());  // bidi rule
}

TEST(Saslprep, RejectsBadInput) {
  EXPECT_FALSE(saslprep("", SaslprepKind::kQuery).ok());
  EXPECT_FALSE(saslprep("\xc2\xad", SaslprepKind::kQuery).ok());  // empty after mapping
  EXPECT_FALSE(saslprep("a\0b"s, SaslprepKind::kQuery).ok());
  EXPECT_FALSE(saslprep("\xc3", SaslprepKind::kQuery).ok());          // truncated UTF-8
  EXPECT_FALSE(saslprep("\xc0\xaf", SaslprepKind::kQuery).ok());      // overlong
  EXPECT_FALSE(saslprep("\xed\xa0\x80", SaslprepKind::kQuery).ok());  // surrogate
  EXPECT_FALSE(saslprep("\xee\x80\x80", SaslprepKind::kQuery).ok());  // private use U+E000
  EXPECT_FALSE(saslprep(std::string(kSaslprepMaxInput + 1, 'a'), SaslprepKind::kQuery).ok());
  auto error = saslprep("secret\x01", SaslprepKind::kQuery);
  ASSERT_FALSE(error.ok());
  EXPECT_EQ(error.error().message.find("secret"), std::string::npos);
}

TEST(Saslprep, StoredStringsRefuseUnassignedCodePoints) {
  // U+0221 was unassigned in Unicode 3.2 (RFC 3454 table A.1).
  EXPECT_TRUE(saslprep("\xc8\xa1", SaslprepKind::kQuery).ok());
  EXPECT_FALSE(saslprep("\xc8\xa1", SaslprepKind::kStored).ok());
}

TEST(Saslprep, PasswordsStaySecret) {
  auto prepared = saslprep_password(Secret("a\xe2\x80\x80"
                                           "b"),
                                    SaslprepKind::kStored);
  ASSERT_TRUE(prepared.ok());
  EXPECT_EQ(prepared->expose(), "a b");  // U+2000 EN QUAD maps to SPACE
}

}  // namespace
}  // namespace gm::auth
