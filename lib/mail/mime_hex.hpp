// Hex digits of MIME escapes: quoted-printable "=XX" (RFC 2045 6.7), RFC
// 2047 Q encoding and RFC 2231 "%XX". Lower case is tolerated everywhere.
#pragma once

namespace gm::mail {

inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace gm::mail
