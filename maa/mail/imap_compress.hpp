// IMAP COMPRESS=DEFLATE (RFC 4978): raw deflate (RFC 1951, no zlib header)
// in both directions once the client's COMPRESS got its OK. Output is
// flushed (Z_SYNC_FLUSH) at the end of each write so every response can be
// decoded at once; input is inflated in bounded pieces, and a client whose
// few bytes inflate to more than kMaxInflatedChunk per call is cut off.
#pragma once

#include <zlib.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace gm::maa {

// What one received chunk may inflate to (a deflate bomb is refused).
inline constexpr size_t kMaxInflatedChunk = 1 << 20;

class DeflateStreams {
 public:
  DeflateStreams();  // throws std::bad_alloc when zlib cannot allocate
  ~DeflateStreams();
  DeflateStreams(const DeflateStreams&) = delete;
  DeflateStreams& operator=(const DeflateStreams&) = delete;

  // Appends the compressed form of bytes, flushed, to out.
  void compress(std::string_view bytes, std::string& out);
  // Appends what chunk inflates to; an error for a corrupt stream or more
  // than kMaxInflatedChunk bytes.
  Status decompress(std::string_view chunk, std::string& out);

 private:
  z_stream deflate_{};
  z_stream inflate_{};
};

}  // namespace gm::maa
