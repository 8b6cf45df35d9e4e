// What sendmail(1) writes to gm-postdrop(8) on a pipe: the envelope as
// lines, then the content in length-prefixed chunks, so a sendmail that
// dies half way leaves an unfinished stream and no message (an EOF alone
// never ends a message):
//
//   S <sender>\n            once; "S \n" is the null sender <>
//   R <recipient>\n         once per recipient, at least one
//   \n
//   <decimal length>\n<that many bytes of content>   repeated
//   0\n                     the end
//
// The reader treats its input as untrusted (gm-postdrop is set-group-ID).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace gm::mail {

inline constexpr size_t kMaxPostdropLine = 1024;         // one envelope line
inline constexpr size_t kMaxPostdropChunk = 1 << 20;     // one content chunk
inline constexpr size_t kMaxPostdropRecipients = 10000;  // kMaxQueueRecipients

struct PostdropEnvelope {
  std::string sender;  // "" is <>
  std::vector<std::string> recipients;
};

// Reads up to `size` bytes into `buffer`; 0 at end of input.
using ByteSource = std::function<Result<size_t>(char* buffer, size_t size)>;

class PostdropReader {
 public:
  explicit PostdropReader(ByteSource source) : source_(std::move(source)) {}
  // Addresses are checked as SMTP mailboxes (RFC 5321, UTF-8 allowed).
  Result<PostdropEnvelope> read_envelope();
  // Hands each chunk to sink; an error from sink is returned as it is.
  Status read_content(const std::function<Status(std::string_view)>& sink);

 private:
  Result<std::string> read_line();
  Status fill();

  ByteSource source_;
  std::string buffer_;
  size_t pos_ = 0;
  bool eof_ = false;
};

std::string encode_postdrop_envelope(const PostdropEnvelope& envelope);
std::string encode_postdrop_chunk_header(size_t length);  // "<length>\n"; "0\n" ends

}  // namespace gm::mail
