// One queued message on disk. Format version 1 (integers big-endian):
//
//   0   "GMQF"  u16 version  u16 header size (40)
//   8   u64 envelope length E     16  u64 content length C
//   24  u32 crc32c(envelope)      28  u32 crc32c(content)
//   32  u32 reserved (0)          36  u32 crc32c(bytes 0..35)
//   40        envelope records (queue_envelope.cpp): type u8, length u32, text
//   40+E      content: the message exactly as received (CRLF, dot-unstuffed)
//   40+E+C    state records, appended by the queue manager after each attempt
//             (one per recipient, or with index 0xffffffff one about the whole
//             message: the delay warning; older files just lack that kind)
//
// The writer puts 40 zero bytes where the header goes, streams envelope and
// content, and writes the real header only at commit, so a file cut short
// anywhere is detectable: a zero header (never committed), a size smaller
// than the header promises (truncated), or a checksum that does not match.
// Commit = fsync file, rename to its final name without replacing anything,
// fsync the directory: only then may the server answer 250.
//
// Per-recipient state is appended, not rewritten: a record is checksummed,
// so a crash while appending damages only that record, which the reader
// drops as a torn tail (and the next append truncates away). Rewriting the
// envelope in place could tear a sector holding the recipients themselves.
// Every call here blocks on the disk: use a worker thread, not the event loop.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/unique_fd.hpp"
#include "mail/file_sink.hpp"
#include "mail/queue_envelope.hpp"

namespace gm::mail {

inline constexpr size_t kQueueWriteBuffer = 64 << 10;  // content buffered before a write()
inline constexpr size_t kQueueReadChunk = 64 << 10;

// Streams one message into `directory` under ".tmp.<queue id>"; commit()
// renames it to <queue id>. Destroying an uncommitted writer removes the
// temporary file, so an error or a dropped session leaves nothing behind.
// Write errors carry 452 "4.3.1 ..." (disk full and the like).
class QueueFileWriter {
 public:
  static Result<QueueFileWriter> create(const std::string& directory, const Envelope& envelope,
                                        size_t buffer_size = kQueueWriteBuffer);
  QueueFileWriter(QueueFileWriter&& other) noexcept;
  QueueFileWriter& operator=(QueueFileWriter&&) = delete;
  ~QueueFileWriter();

  Status append(std::string_view chunk);
  // Durable at return: file and directory entry fsync'ed. Returns the path.
  Result<std::string> commit();
  void abort();

  const std::string& queue_id() const { return queue_id_; }
  uint64_t content_size() const { return content_size_; }
  size_t buffer_high_water() const { return sink_.high_water(); }  // largest buffer held

 private:
  QueueFileWriter(FileSink sink, std::string directory, std::string queue_id);

  FileSink sink_;
  std::string directory_, queue_id_;
  QueueHeader header_;
  uint64_t content_size_ = 0;
  uint32_t content_crc_ = 0;
  bool done_ = false;
};

// Reads a committed queue file: header and envelope (and state records) at
// open, content on demand as a stream. Corruption gives an Error whose
// message starts "corrupt queue file:" - qmgr moves such files to corrupt/.
class QueueFile {
 public:
  // writable: open read-write so record_state() can append.
  static Result<QueueFile> open(const std::string& path, bool writable = false);

  const Envelope& envelope() const { return envelope_; }
  const std::string& path() const { return path_; }
  uint64_t content_offset() const { return header_.content_offset(); }
  uint64_t content_length() const { return header_.content_length; }
  int fd() const { return fd_.get(); }

  // Calls sink with the content in chunks of at most chunk_size bytes, then
  // checks the content checksum (a sink should not commit before this returns ok).
  Status read_content(const std::function<Status(std::string_view)>& sink,
                      size_t chunk_size = kQueueReadChunk) const;
  Status verify_content() const;
  // Appends a state record for one recipient and fdatasyncs it.
  Status record_state(size_t recipient, RecipientState state, std::string_view reply,
                      uint64_t when_micros);
  // Appends the record that the delay warning was sent, and fdatasyncs it.
  Status record_delay_warning(uint64_t when_micros);

 private:
  QueueFile() = default;
  Status append_state(const StateUpdate& update);

  UniqueFd fd_;
  std::string path_;
  QueueHeader header_;
  Envelope envelope_;
  uint64_t valid_end_ = 0;  // end of the last whole state record
  uint64_t file_size_ = 0;
};

}  // namespace gm::mail
