#include "auth/scram_message.hpp"

#include <vector>

#include "auth/base64.hpp"

namespace gm::auth::scram {
namespace {

bool is_alpha(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// printable = %x21-2B / %x2D-7E
bool is_printable_nonce(std::string_view s) {
  for (char c : s)
    if (c < 0x21 || c > 0x7e || c == ',') return false;
  return !s.empty();
}

// cb-name = 1*(ALPHA / DIGIT / "." / "-")
bool is_cb_name(std::string_view s) {
  if (s.empty() || s.size() > kMaxCbNameLength) return false;
  for (char c : s)
    if (!is_alpha(c) && !(c >= '0' && c <= '9') && c != '.' && c != '-') return false;
  return true;
}

// Splits on ',' into at most kMaxAttributes pieces; each must be
// attr-val = ALPHA "=" value with a non-empty value.
Result<std::vector<std::string_view>> split_attributes(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    if (out.size() == kMaxAttributes) return make_error("too many attributes");
    size_t comma = s.find(',', start);
    std::string_view piece =
        s.substr(start, comma == std::string_view::npos ? comma : comma - start);
    if (piece.size() < 3 || !is_alpha(piece[0]) || piece[1] != '=')
      return make_error("malformed attribute");
    out.push_back(piece);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

// RFC 5802 section 5.1: a mandatory extension the server does not know must
// fail the exchange; no extension is defined, so "m" always does.
Status check_no_mandatory_extension(const std::vector<std::string_view>& attributes) {
  for (auto a : attributes)
    if (a[0] == 'm') return make_error("unsupported mandatory extension");
  return {};
}

// Reads the GS2 header; on success *rest is client-first-message-bare.
Result<ClientFirst> parse_gs2_header(std::string_view message, std::string_view* rest) {
  ClientFirst first;
  size_t pos;
  if (message.starts_with("n,")) {
    first.cb_flag = CbFlag::kNotSupported;
    pos = 2;
  } else if (message.starts_with("y,")) {
    first.cb_flag = CbFlag::kThinksUnsupported;
    pos = 2;
  } else if (message.starts_with("p=")) {
    size_t comma = message.find(',');
    if (comma == std::string_view::npos) return make_error("malformed GS2 header");
    first.cb_flag = CbFlag::kUsed;
    first.cb_name = std::string(message.substr(2, comma - 2));
    if (!is_cb_name(first.cb_name)) return make_error("malformed channel-binding type");
    pos = comma + 1;
  } else {
    return make_error("malformed GS2 header");
  }
  size_t comma = message.find(',', pos);
  if (comma == std::string_view::npos) return make_error("malformed GS2 header");
  std::string_view authzid = message.substr(pos, comma - pos);
  if (!authzid.empty()) {
    if (!authzid.starts_with("a=")) return make_error("malformed authzid");
    auto decoded = decode_saslname(authzid.substr(2));
    if (!decoded) return make_error("malformed authzid");
    first.authzid = std::move(*decoded);
  }
  first.gs2_header = std::string(message.substr(0, comma + 1));
  *rest = message.substr(comma + 1);
  return first;
}

}  // namespace

Result<std::string> decode_saslname(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\0' || c == ',') return make_error("bad character in name");
    if (c == '=') {
      std::string_view escape = text.substr(i, 3);
      if (escape == "=2C") {
        out.push_back(',');
      } else if (escape == "=3D") {
        out.push_back('=');
      } else {
        return make_error("bad '=' escape in name");
      }
      i += 2;
    } else {
      out.push_back(c);
    }
    if (out.size() > kMaxNameLength) return make_error("name too long");
  }
  if (out.empty()) return make_error("empty name");
  return out;
}

std::string encode_saslname(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == ',') {
      out += "=2C";
    } else if (c == '=') {
      out += "=3D";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Result<ClientFirst> parse_client_first(std::string_view message) {
  if (message.size() > kMaxClientFirstLength) return make_error("client-first message too long");
  if (message.find('\0') != std::string_view::npos) return make_error("NUL in message");
  std::string_view bare;
  auto first = parse_gs2_header(message, &bare);
  if (!first) return first.error();
  auto attributes = split_attributes(bare);
  if (!attributes) return attributes.error();
  const auto& attrs = *attributes;
  if (auto s = check_no_mandatory_extension(attrs); !s) return s.error();
  // username "," nonce ["," extensions]; optional extensions are ignored.
  if (attrs.size() < 2 || !attrs[0].starts_with("n=") || !attrs[1].starts_with("r="))
    return make_error("expected n= and r= attributes");
  auto username = decode_saslname(attrs[0].substr(2));
  if (!username) return make_error(username.error().message);
  std::string_view nonce = attrs[1].substr(2);
  if (nonce.size() > kMaxClientNonceLength || !is_printable_nonce(nonce))
    return make_error("malformed client nonce");
  first->bare = std::string(bare);
  first->username = std::move(*username);
  first->nonce = std::string(nonce);
  return first;
}

Result<ClientFinal> parse_client_final(std::string_view message) {
  if (message.size() > kMaxClientFinalLength) return make_error("client-final message too long");
  if (message.find('\0') != std::string_view::npos) return make_error("NUL in message");
  auto attributes = split_attributes(message);
  if (!attributes) return attributes.error();
  const auto& attrs = *attributes;
  if (auto s = check_no_mandatory_extension(attrs); !s) return s.error();
  // channel-binding "," nonce ["," extensions] "," proof
  if (attrs.size() < 3 || !attrs[0].starts_with("c=") || !attrs[1].starts_with("r=") ||
      !attrs.back().starts_with("p="))
    return make_error("expected c=, r= and p= attributes");
  ClientFinal final_message;
  auto binding = base64_decode(attrs[0].substr(2), kMaxChannelBinding);
  if (!binding) return make_error("malformed channel-binding attribute");
  auto proof = base64_decode(attrs.back().substr(2), kMaxChannelBinding);
  if (!proof) return make_error("malformed proof attribute");
  final_message.channel_binding = std::move(*binding);
  final_message.nonce = std::string(attrs[1].substr(2));
  final_message.proof = std::move(*proof);
  // Everything before ",p=": the proof is the last attribute.
  final_message.without_proof =
      std::string(message.substr(0, message.size() - attrs.back().size() - 1));
  return final_message;
}

}  // namespace gm::auth::scram
