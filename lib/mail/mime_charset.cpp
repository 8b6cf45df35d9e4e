#include "mail/mime_charset.hpp"

#include <cerrno>
#include <utility>

#include "core/str.hpp"

namespace gm::mail {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
const iconv_t kPassThrough = reinterpret_cast<iconv_t>(-1);
constexpr size_t kMaxCharsetName = 64;

// Length of the valid UTF-8 sequence at s[i], 0 if invalid, -1 if s ends inside it.
int utf8_sequence(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  int n;
  unsigned min;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF)
    n = 2, min = 0x80;
  else if (c >= 0xE0 && c <= 0xEF)
    n = 3, min = 0x800;
  else if (c >= 0xF0 && c <= 0xF4)
    n = 4, min = 0x10000;
  else
    return 0;
  unsigned code = c & (0x7F >> n);
  for (int k = 1; k < n; ++k) {
    if (i + k >= s.size()) return -1;
    unsigned char d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xC0) != 0x80) return 0;
    code = (code << 6) | (d & 0x3F);
    // Reject overlong, surrogate and too large forms as soon as they show.
    if (k == 1 && n == 3 && c == 0xE0 && d < 0xA0) return 0;
    if (k == 1 && n == 3 && c == 0xED && d >= 0xA0) return 0;
    if (k == 1 && n == 4 && c == 0xF0 && d < 0x90) return 0;
    if (k == 1 && n == 4 && c == 0xF4 && d >= 0x90) return 0;
  }
  return code >= min ? n : 0;
}

bool is_utf8_name(std::string_view name) {
  return name.empty() || iequals(name, "utf-8") || iequals(name, "utf8") ||
         iequals(name, "us-ascii") || iequals(name, "ascii");
}

}  // namespace

std::string sanitize_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (size_t i = 0; i < bytes.size();) {
    size_t ascii = i;
    while (ascii < bytes.size() && static_cast<unsigned char>(bytes[ascii]) < 0x80) ++ascii;
    if (ascii > i) {  // the common case: a run of ASCII
      out.append(bytes.substr(i, ascii - i));
      i = ascii;
      continue;
    }
    int n = utf8_sequence(bytes, i);
    if (n > 0) {
      out.append(bytes.substr(i, n));
      i += n;
    } else {
      out.append(kReplacement);
      ++i;
    }
  }
  return out;
}

Result<CharsetDecoder> CharsetDecoder::create(std::string_view charset) {
  if (is_utf8_name(charset)) return CharsetDecoder(kPassThrough);
  if (charset.size() > kMaxCharsetName) return make_error("unknown charset");
  std::string name(charset);
  iconv_t cd = ::iconv_open("UTF-8", name.c_str());
  if (cd == kPassThrough) return make_error(str_cat("unknown charset ", printable(charset, 64)));
  return CharsetDecoder(cd);
}

CharsetDecoder::CharsetDecoder(CharsetDecoder&& other) noexcept
    : cd_(std::exchange(other.cd_, kPassThrough)), pending_(std::move(other.pending_)) {}

CharsetDecoder& CharsetDecoder::operator=(CharsetDecoder&& other) noexcept {
  if (this != &other) {
    if (cd_ != kPassThrough) ::iconv_close(cd_);
    cd_ = std::exchange(other.cd_, kPassThrough);
    pending_ = std::move(other.pending_);
  }
  return *this;
}

CharsetDecoder::~CharsetDecoder() {
  if (cd_ != kPassThrough) ::iconv_close(cd_);
}

void CharsetDecoder::feed_utf8(std::string_view chunk, std::string& out) {
  std::string joined = std::exchange(pending_, {});
  joined.append(chunk);
  std::string_view s = joined;
  out.reserve(out.size() + s.size());
  for (size_t i = 0; i < s.size();) {
    size_t ascii = i;
    while (ascii < s.size() && static_cast<unsigned char>(s[ascii]) < 0x80) ++ascii;
    if (ascii > i) {  // the common case: a run of ASCII, appended at once
      out.append(s.substr(i, ascii - i));
      i = ascii;
      continue;
    }
    int n = utf8_sequence(s, i);
    if (n < 0) {
      pending_ = std::string(s.substr(i));
      return;
    }
    if (n == 0) {
      out.append(kReplacement);
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
}

void CharsetDecoder::feed(std::string_view chunk, std::string& out) {
  if (cd_ == kPassThrough) return feed_utf8(chunk, out);
  std::string joined = std::exchange(pending_, {});
  joined.append(chunk);
  char* in = joined.data();
  size_t in_left = joined.size();
  char buffer[4096];
  while (in_left > 0) {
    char* o = buffer;
    size_t o_left = sizeof buffer;
    size_t r = ::iconv(cd_, &in, &in_left, &o, &o_left);
    out.append(buffer, o - buffer);
    if (r != static_cast<size_t>(-1)) break;
    if (errno == E2BIG) continue;
    if (errno == EINVAL) {  // an incomplete sequence at the end of the chunk
      pending_.assign(in, in_left);
      break;
    }
    out.append(kReplacement);  // EILSEQ: skip one byte
    ++in;
    --in_left;
  }
}

void CharsetDecoder::finish(std::string& out) {
  if (!pending_.empty()) out.append(kReplacement);
  pending_.clear();
  if (cd_ != kPassThrough) {
    char buffer[64];
    char* o = buffer;
    size_t o_left = sizeof buffer;
    ::iconv(cd_, nullptr, nullptr, &o, &o_left);  // stateful charsets (ISO-2022-JP) reset
    out.append(buffer, o - buffer);
  }
}

Result<std::string> charset_to_utf8(std::string_view charset, std::string_view bytes) {
  auto decoder = CharsetDecoder::create(charset);
  if (!decoder) return decoder.error();
  std::string out;
  decoder->feed(bytes, out);
  decoder->finish(out);
  return out;
}

}  // namespace gm::mail
