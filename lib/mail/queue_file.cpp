#include "mail/queue_file.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/durable_file.hpp"
#include "core/str.hpp"
#include "mail/crc32c.hpp"

namespace gm::mail {
namespace {

// A queue file that ends early is corrupt (qmgr moves it aside); a read
// error is not.
Result<std::string> read_at(int fd, uint64_t offset, size_t size, const std::string& path) {
  auto bytes = pread_exact(fd, offset, size, path);
  if (!bytes && bytes.error().code == kShortRead)
    return make_error(str_cat("corrupt queue file: truncated while reading ", path));
  return bytes;
}

}  // namespace

// ---- writer

QueueFileWriter::QueueFileWriter(FileSink sink, std::string directory, std::string queue_id)
    : sink_(std::move(sink)), directory_(std::move(directory)), queue_id_(std::move(queue_id)) {}

QueueFileWriter::QueueFileWriter(QueueFileWriter&& o) noexcept
    : sink_(std::move(o.sink_)),
      directory_(std::move(o.directory_)),
      queue_id_(std::move(o.queue_id_)),
      header_(o.header_),
      content_size_(o.content_size_),
      content_crc_(o.content_crc_),
      done_(o.done_) {
  o.done_ = true;
}

QueueFileWriter::~QueueFileWriter() {
  abort();
}

void QueueFileWriter::abort() {
  if (done_) return;
  done_ = true;
  sink_.close();
  ::unlink(sink_.path().c_str());
}

Result<QueueFileWriter> QueueFileWriter::create(const std::string& directory,
                                                const Envelope& envelope, size_t buffer_size) {
  auto encoded = encode_envelope(envelope);
  if (!encoded) return encoded.error();
  std::string temp = str_cat(directory, "/.tmp.", envelope.queue_id);
  // O_EXCL: a queue ID clash must never overwrite someone else's message.
  UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) return storage_error("create", temp);
  QueueFileWriter writer(FileSink(std::move(fd), temp, buffer_size), directory, envelope.queue_id);
  writer.header_.envelope_length = encoded->size();
  writer.header_.envelope_crc = crc32c(*encoded);
  // Zeros where the header goes: the file reads as "never committed" until commit().
  if (auto s = writer.sink_.write_through(std::string(kQueueHeaderSize, '\0')); !s)
    return s.error();
  if (auto s = writer.sink_.write_through(*encoded); !s) return s.error();
  return writer;
}

Status QueueFileWriter::append(std::string_view chunk) {
  if (done_) return make_error("4.3.0 queue file already closed", 451);
  content_crc_ = crc32c(chunk, content_crc_);
  content_size_ += chunk.size();
  return sink_.append(chunk);
}

Result<std::string> QueueFileWriter::commit() {
  if (done_) return make_error("4.3.0 queue file already closed", 451);
  if (auto status = sink_.flush(); !status) return status.error();
  header_.content_length = content_size_;
  header_.content_crc = content_crc_;
  if (auto status = sink_.pwrite_at(encode_header(header_), 0); !status) return status.error();
  if (auto status = sink_.fsync(); !status) return status.error();
  std::string final_path = str_cat(directory_, '/', queue_id_);
  const std::string& temp = sink_.path();
  if (::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, final_path.c_str(), RENAME_NOREPLACE))
    return storage_error("rename", temp);
  done_ = true;  // from here the file is the queue's, even if the directory fsync fails
  sink_.close();
  if (auto status = core::fsync_directory(directory_); !status)
    return make_error(str_cat("4.3.1 ", status.error().message), 452);
  return final_path;
}

// ---- reader

Result<QueueFile> QueueFile::open(const std::string& path, bool writable) {
  QueueFile file;
  file.path_ = path;
  file.fd_.reset(::open(path.c_str(), (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NOFOLLOW));
  if (!file.fd_) return make_error(str_cat("open ", path, ": ", std::strerror(errno)));
  struct stat st;
  if (::fstat(file.fd_.get(), &st) != 0 || !S_ISREG(st.st_mode))
    return make_error(str_cat("corrupt queue file: not a regular file ", path));
  file.file_size_ = static_cast<uint64_t>(st.st_size);
  size_t head = static_cast<size_t>(std::min<uint64_t>(kQueueHeaderSize, file.file_size_));
  auto header_bytes = read_at(file.fd_.get(), 0, head, path);
  if (!header_bytes) return header_bytes.error();
  auto header = decode_header(*header_bytes, file.file_size_);
  if (!header) return header.error();
  file.header_ = *header;
  auto envelope_bytes = read_at(file.fd_.get(), kQueueHeaderSize,
                                    static_cast<size_t>(header->envelope_length), path);
  if (!envelope_bytes) return envelope_bytes.error();
  if (crc32c(*envelope_bytes) != header->envelope_crc)
    return make_error("corrupt queue file: envelope checksum");
  auto envelope = decode_envelope(*envelope_bytes);
  if (!envelope) return envelope.error();
  file.envelope_ = std::move(*envelope);
  auto state_bytes =
      read_at(file.fd_.get(), header->state_offset(),
                  static_cast<size_t>(file.file_size_ - header->state_offset()), path);
  if (!state_bytes) return state_bytes.error();
  auto used = apply_state_records(*state_bytes, file.envelope_);
  if (!used) return used.error();
  file.valid_end_ = header->state_offset() + *used;
  return file;
}

Status QueueFile::read_content(const std::function<Status(std::string_view)>& sink,
                               size_t chunk_size) const {
  // No bigger than the content: a small message does not pay for zeroing 64 KiB.
  std::string buffer(
      static_cast<size_t>(std::max<uint64_t>(std::min<uint64_t>(chunk_size, content_length()), 1)),
      '\0');
  uint64_t offset = content_offset(), left = content_length();
  uint32_t crc = 0;
  while (left > 0) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(left, buffer.size()));
    ssize_t n = ::pread(fd_.get(), buffer.data(), want, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return make_error(str_cat("read ", path_, ": ", std::strerror(errno)));
    if (n == 0) return make_error("corrupt queue file: content truncated");
    std::string_view chunk(buffer.data(), static_cast<size_t>(n));
    crc = crc32c(chunk, crc);
    if (auto status = sink(chunk); !status) return status;
    offset += static_cast<uint64_t>(n);
    left -= static_cast<uint64_t>(n);
  }
  if (crc != header_.content_crc) return make_error("corrupt queue file: content checksum");
  return {};
}

Status QueueFile::verify_content() const {
  return read_content([](std::string_view) -> Status { return {}; });
}

Status QueueFile::record_state(size_t recipient, RecipientState state, std::string_view reply,
                               uint64_t when_micros) {
  if (recipient >= envelope_.recipients.size()) return make_error("no such recipient");
  return append_state(
      StateUpdate{static_cast<uint32_t>(recipient), state, when_micros, std::string(reply)});
}

Status QueueFile::record_delay_warning(uint64_t when_micros) {
  auto event = static_cast<RecipientState>(MessageEvent::kDelayWarned);
  return append_state(StateUpdate{kMessageEvent, event, when_micros, {}});
}

Status QueueFile::append_state(const StateUpdate& update) {
  // Drop a torn record left by a crash, so the new one follows whole records.
  if (valid_end_ < file_size_ && ::ftruncate(fd_.get(), static_cast<off_t>(valid_end_)) != 0)
    return storage_error("truncate", path_);
  file_size_ = valid_end_;
  std::string record = encode_state_record(update);
  if (file_size_ - header_.state_offset() + record.size() > kMaxStateRegion)
    return make_error(str_cat("too many state records in ", path_));
  if (auto status = pwrite_all(fd_.get(), record, valid_end_, path_); !status) return status;
  if (::fdatasync(fd_.get()) != 0) return storage_error("fdatasync", path_);
  valid_end_ += record.size();
  file_size_ = valid_end_;
  apply_state_records(record, envelope_).ok();  // our own record: cannot fail
  return {};
}

}  // namespace gm::mail
