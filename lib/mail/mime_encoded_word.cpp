#include "mail/mime_encoded_word.hpp"

#include <optional>

#include "core/str.hpp"
#include "mail/mime_charset.hpp"
#include "mail/mime_hex.hpp"
#include "mail/mime_transfer_decoder.hpp"

namespace gm::mail {
namespace {

constexpr size_t kMaxEncodedWord = 1000;  // RFC 2047 2 says 75; real mail is longer

struct EncodedWord {
  std::string charset;  // without an RFC 2231 "*language"
  std::string bytes;    // decoded, still in charset
  size_t length = 0;    // of "=?...?=" in the input
};

std::string decode_q(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '_') {
      out.push_back(' ');
    } else if (text[i] == '=' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
               hex_value(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// The encoded-word starting at s[0] ("=?"), or nullopt.
std::optional<EncodedWord> parse_word(std::string_view s) {
  size_t q1 = s.find('?', 2);
  if (q1 == std::string_view::npos || q1 == 2 || q1 + 2 >= s.size() || s[q1 + 2] != '?')
    return std::nullopt;
  char encoding = s[q1 + 1];
  size_t end = s.find("?=", q1 + 3);
  if (end == std::string_view::npos || end > kMaxEncodedWord) return std::nullopt;
  std::string_view charset = s.substr(2, q1 - 2);
  std::string_view text = s.substr(q1 + 3, end - q1 - 3);
  for (char c : text)
    if (c == ' ' || c == '\t') return std::nullopt;
  EncodedWord word;
  word.charset = std::string(charset.substr(0, charset.find('*')));
  word.length = end + 2;
  if (encoding == 'Q' || encoding == 'q') {
    word.bytes = decode_q(text);
  } else if (encoding == 'B' || encoding == 'b') {
    TransferDecoder base64(TransferDecoder::Kind::kBase64);
    base64.feed(text, word.bytes);
  } else {
    return std::nullopt;
  }
  return word;
}

bool all_space(std::string_view s) {
  for (char c : s)
    if (c != ' ' && c != '\t') return false;
  return true;
}

// Adjacent words in one charset are joined before conversion: senders
// split multi-byte characters between words.
class Output {
 public:
  void word(EncodedWord w) {
    if (!pending_charset_ || !iequals(*pending_charset_, w.charset)) flush();
    pending_charset_ = std::move(w.charset);
    pending_.append(w.bytes);
  }
  void text(std::string_view s) {
    flush();
    out_.append(sanitize_utf8(s));
  }
  std::string finish() {
    flush();
    return std::move(out_);
  }

 private:
  void flush() {
    if (!pending_charset_) return;
    auto utf8 = charset_to_utf8(*pending_charset_, pending_);
    out_.append(utf8 ? *utf8 : sanitize_utf8(pending_));
    pending_charset_.reset();
    pending_.clear();
  }

  std::string out_, pending_;
  std::optional<std::string> pending_charset_;
};

}  // namespace

std::string decode_encoded_words(std::string_view s) {
  Output out;
  size_t plain_start = 0;  // start of text not yet written
  bool after_word = false;
  for (size_t i = s.find("=?"); i != std::string_view::npos; i = s.find("=?", i)) {
    auto word = parse_word(s.substr(i));
    if (!word) {
      i += 2;
      continue;
    }
    std::string_view between = s.substr(plain_start, i - plain_start);
    // RFC 2047 6.2: whitespace between adjacent encoded-words is not displayed.
    if (!(after_word && all_space(between)) && !between.empty()) out.text(between);
    size_t length = word->length;
    out.word(std::move(*word));
    i += length;
    plain_start = i;
    after_word = true;
  }
  out.text(s.substr(plain_start));
  return out.finish();
}

}  // namespace gm::mail
