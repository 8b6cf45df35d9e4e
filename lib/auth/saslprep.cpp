#include "auth/saslprep.hpp"

#include <idn-free.h>
#include <stringprep.h>

#include <cstring>
#include <memory>

#include "auth/scram_crypto.hpp"

namespace gm::auth {
namespace {

struct IdnFree {
  void operator()(char* p) const {
    if (p != nullptr) {
      OPENSSL_cleanse(p, std::strlen(p));
      idn_free(p);
    }
  }
};

// RFC 3629 section 4 well-formed UTF-8 (no overlongs, no surrogates, at most
// U+10FFFF); NUL is refused too because libidn takes C strings.
bool is_valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == 0) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      if (c == 0xe0) lo = 0xa0;
      if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      if (c == 0xf0) lo = 0x90;
      if (c == 0xf4) hi = 0x8f;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    auto c1 = static_cast<unsigned char>(s[i + 1]);
    if (c1 < lo || c1 > hi) return false;
    for (size_t k = 2; k < len; ++k) {
      auto ck = static_cast<unsigned char>(s[i + k]);
      if (ck < 0x80 || ck > 0xbf) return false;
    }
    i += len;
  }
  return true;
}

}  // namespace

Result<std::string> saslprep(std::string_view text, SaslprepKind kind) {
  if (text.size() > kSaslprepMaxInput) return make_error("SASLprep: string too long");
  if (!is_valid_utf8(text)) return make_error("SASLprep: not valid UTF-8");
  std::string input(text);
  char* raw = nullptr;
  auto flags = kind == SaslprepKind::kStored ? STRINGPREP_NO_UNASSIGNED
                                             : static_cast<Stringprep_profile_flags>(0);
  int rc = stringprep_profile(input.c_str(), &raw, "SASLprep", flags);
  scram::wipe(input);
  std::unique_ptr<char, IdnFree> out(raw);
  if (rc != STRINGPREP_OK || out == nullptr) {
    // stringprep_strerror names the rule broken, never the input.
    return make_error(std::string("SASLprep: ") +
                      stringprep_strerror(static_cast<Stringprep_rc>(rc)));
  }
  std::string prepared(out.get());
  if (prepared.empty()) return make_error("SASLprep: empty after mapping");
  return prepared;
}

Result<Secret> saslprep_password(const Secret& password, SaslprepKind kind) {
  auto prepared = saslprep(password.expose(), kind);
  if (!prepared) return prepared.error();
  Secret out(*prepared);
  scram::wipe(*prepared);
  return out;
}

}  // namespace gm::auth
