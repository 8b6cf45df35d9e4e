// Conversion of text in a named charset to UTF-8 through iconv (glibc),
// streaming: bytes may arrive in chunks that split a multi-byte character.
// Invalid sequences become U+FFFD; an unknown charset is an error so search
// can say [BADCHARSET] and callers can fall back to the raw bytes.
#pragma once

#include <iconv.h>

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace gm::mail {

class CharsetDecoder {
 public:
  // "utf-8", "us-ascii" and "" pass bytes through (invalid UTF-8 still
  // replaced); other names go to iconv. Error when iconv does not know it.
  static Result<CharsetDecoder> create(std::string_view charset);
  CharsetDecoder(CharsetDecoder&& other) noexcept;
  CharsetDecoder& operator=(CharsetDecoder&& other) noexcept;
  CharsetDecoder(const CharsetDecoder&) = delete;
  CharsetDecoder& operator=(const CharsetDecoder&) = delete;
  ~CharsetDecoder();

  // Appends the UTF-8 of chunk to out; keeps an incomplete trailing sequence for the next call.
  void feed(std::string_view chunk, std::string& out);
  // Flushes what is pending (an incomplete sequence becomes U+FFFD).
  void finish(std::string& out);

 private:
  explicit CharsetDecoder(iconv_t cd) : cd_(cd) {}
  void feed_utf8(std::string_view chunk, std::string& out);

  iconv_t cd_ = reinterpret_cast<iconv_t>(-1);  // -1: UTF-8 pass-through
  std::string pending_;
};

// Whole-string convenience: charset bytes to UTF-8.
Result<std::string> charset_to_utf8(std::string_view charset, std::string_view bytes);
// Bytes that are not valid UTF-8 replaced by U+FFFD.
std::string sanitize_utf8(std::string_view bytes);

}  // namespace gm::mail
