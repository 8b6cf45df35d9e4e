#include "imap_compress.hpp"

#include <new>

namespace gm::maa {

namespace {

constexpr int kRawDeflate = -15;  // RFC 4978 3: raw deflate, 32 KiB window
constexpr size_t kStep = 16 * 1024;

}  // namespace

DeflateStreams::DeflateStreams() {
  if (deflateInit2(&deflate_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kRawDeflate, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::bad_alloc();
  if (inflateInit2(&inflate_, kRawDeflate) != Z_OK) {
    deflateEnd(&deflate_);
    throw std::bad_alloc();
  }
}

DeflateStreams::~DeflateStreams() {
  deflateEnd(&deflate_);
  inflateEnd(&inflate_);
}

void DeflateStreams::compress(std::string_view bytes, std::string& out) {
  deflate_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  deflate_.avail_in = static_cast<uInt>(bytes.size());
  do {
    size_t at = out.size();
    out.resize(at + kStep);
    deflate_.next_out = reinterpret_cast<Bytef*>(out.data() + at);
    deflate_.avail_out = static_cast<uInt>(kStep);
    deflate(&deflate_, Z_SYNC_FLUSH);  // cannot fail with a valid stream and room
    out.resize(out.size() - deflate_.avail_out);
  } while (deflate_.avail_out == 0);
}

Status DeflateStreams::decompress(std::string_view chunk, std::string& out) {
  inflate_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(chunk.data()));
  inflate_.avail_in = static_cast<uInt>(chunk.size());
  size_t produced = 0;
  do {
    size_t at = out.size();
    out.resize(at + kStep);
    inflate_.next_out = reinterpret_cast<Bytef*>(out.data() + at);
    inflate_.avail_out = static_cast<uInt>(kStep);
    int rc = inflate(&inflate_, Z_SYNC_FLUSH);
    size_t got = kStep - inflate_.avail_out;
    out.resize(at + got);
    produced += got;
    if (rc == Z_STREAM_END) return make_error("Compressed stream ended");
    if (rc != Z_OK && rc != Z_BUF_ERROR) return make_error("Corrupt compressed data");
    if (produced > kMaxInflatedChunk) return make_error("Compressed data inflates too much");
    if (rc == Z_BUF_ERROR && got == 0) break;
    // More may wait inside zlib when the output step was filled.
  } while (inflate_.avail_in > 0 || inflate_.avail_out == 0);
  return {};
}

}  // namespace gm::maa
