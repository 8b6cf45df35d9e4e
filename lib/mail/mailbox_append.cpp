// MailboxFolder's writers of new messages: APPEND (streamed through tmp/)
// and COPY (hard links, a copy only across file systems). Both put the file
// into cur/ with its flags under the folder lock, fsync cur/, then hand out
// the UIDs (gm-uids first, then a gm-index.log batch).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

#include "core/str.hpp"
#include "mail/file_sink.hpp"
#include "mail/mailbox_filename.hpp"
#include "mail/mailbox_folder.hpp"
#include "mail/mailbox_folder_state.hpp"
#include "mail/maildir.hpp"
#include "mail/maildir_quota.hpp"

namespace gm::mail {
namespace {

constexpr size_t kCopyBuffer = 64 << 10;

Status set_internal_date(int fd, int64_t internal_date, const std::string& path) {
  struct timespec times[2] = {{static_cast<time_t>(internal_date), 0},
                              {static_cast<time_t>(internal_date), 0}};
  if (::futimens(fd, times) != 0) return storage_error("utimens", path);
  return {};
}

// A whole message copied into a new tmp/ file (COPY across file systems).
Result<MailboxFolder::Append> copy_into(MailboxFolder& dest, int source_fd) {
  auto append = dest.begin_append();
  if (!append) return append;
  std::string buffer(kCopyBuffer, '\0');
  while (true) {
    ssize_t n = ::read(source_fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return storage_error("read", "message");
    if (n == 0) break;
    if (auto status = append->write(std::string_view(buffer.data(), static_cast<size_t>(n)));
        !status)
      return status.error();
  }
  return append;
}

}  // namespace

MailboxFolder::Append::Append(UniqueFd fd, std::string temp_path, std::string basename)
    : fd_(std::move(fd)), temp_path_(std::move(temp_path)), basename_(std::move(basename)) {}

MailboxFolder::Append::Append(Append&& other) noexcept
    : fd_(std::move(other.fd_)),
      temp_path_(std::exchange(other.temp_path_, std::string())),
      basename_(std::move(other.basename_)),
      size_(other.size_) {}

MailboxFolder::Append::~Append() {
  if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
}

Status MailboxFolder::Append::write(std::string_view chunk) {
  if (!fd_) return make_error("append already committed");
  if (auto status = pwrite_all(fd_.get(), chunk, size_, temp_path_); !status) return status;
  size_ += chunk.size();
  return {};
}

Result<MailboxFolder::Append> MailboxFolder::begin_append() {
  std::string basename = maildir_unique_name();
  std::string temp = str_cat(dir_, "/tmp/", basename);
  UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) return storage_error("create", temp);
  return Append(std::move(fd), std::move(temp), std::move(basename));
}

Result<uint32_t> MailboxFolder::commit_append(Append&& message, uint8_t flags,
                                              std::span<const std::string> keywords,
                                              int64_t internal_date) {
  Append m(std::move(message));  // its destructor removes the temporary file on every path
  if (!m.fd_) return make_error("append already committed");
  if (internal_date == 0) internal_date = ::time(nullptr);
  if (auto status = set_internal_date(m.fd_.get(), internal_date, m.temp_path_); !status)
    return status.error();
  if (::fsync(m.fd_.get()) != 0) return storage_error("fsync", m.temp_path_);
  m.fd_.reset();
  State& s = *state_;
  auto lock = s.lock_and_refresh();
  if (!lock) return lock.error();
  auto bits = s.keyword_bits_for(keywords);
  if (!bits) return bits.error();
  std::string name = maildir_name(str_cat(m.basename_, ",S=", m.size_), flags & kAllFlags, *bits);
  bool covered = s.cur_covered();
  if (::linkat(AT_FDCWD, m.temp_path_.c_str(), s.cur_fd.get(), name.c_str(), 0) != 0)
    return storage_error("link", m.temp_path_);
  if (::fsync(s.cur_fd.get()) != 0) return storage_error("fsync", s.cur_dir);
  s.cover_cur_after_own_change(covered);
  auto uids = s.add_own_messages({NewFile{name, m.size_, internal_date}});
  if (!uids) return uids.error();
  if (auto status = s.write_index(); !status) return status.error();
  if (auto status = record_quota_change(s.quota_root, static_cast<int64_t>(m.size_), 1); !status)
    return status.error();
  return uids->front();
}

Result<uint32_t> MailboxFolder::append(std::string_view content, uint8_t flags,
                                       std::span<const std::string> keywords,
                                       int64_t internal_date) {
  auto message = begin_append();
  if (!message) return message.error();
  if (auto status = message->write(content); !status) return status.error();
  return commit_append(std::move(*message), flags, keywords, internal_date);
}

Result<std::vector<uint32_t>> MailboxFolder::copy_to(MailboxFolder& dest,
                                                     std::span<const uint32_t> uids) {
  std::vector<MessageRecord> sources;
  std::vector<std::vector<std::string>> source_keywords;
  for (uint32_t uid : uids)
    if (const MessageRecord* m = find(uid)) {
      sources.push_back(*m);
      source_keywords.push_back(keywords_of(*m));
    }
  State& d = *dest.state_;
  auto lock = d.lock_and_refresh();
  if (!lock) return lock.error();
  bool covered = d.cur_covered();
  std::vector<NewFile> files;
  int64_t bytes = 0;
  for (size_t i = 0; i < sources.size(); ++i) {
    const MessageRecord& m = sources[i];
    auto bits = d.keyword_bits_for(source_keywords[i]);
    if (!bits) return bits.error();
    std::string name =
        maildir_name(str_cat(maildir_unique_name(), ",S=", m.size), m.flags & kAllFlags, *bits);
    int source_dir = state_->cur_fd.get();
    if (::linkat(source_dir, m.filename.c_str(), d.cur_fd.get(), name.c_str(), 0) != 0) {
      // Renamed since (another session's STORE) or another file system: copy the bytes.
      auto source = open_message(m.uid);
      if (!source) return source.error();
      auto copy = copy_into(dest, source->get());
      if (!copy) return copy.error();
      if (auto status = set_internal_date(copy->fd_.get(), m.internal_date, copy->temp_path_);
          !status)
        return status.error();
      if (::fsync(copy->fd_.get()) != 0) return storage_error("fsync", copy->temp_path_);
      if (::linkat(AT_FDCWD, copy->temp_path_.c_str(), d.cur_fd.get(), name.c_str(), 0) != 0)
        return storage_error("link", copy->temp_path_);
    }
    files.push_back(NewFile{std::move(name), m.size, m.internal_date});
    bytes += static_cast<int64_t>(m.size);
  }
  if (files.empty()) return std::vector<uint32_t>{};
  if (::fsync(d.cur_fd.get()) != 0) return storage_error("fsync", d.cur_dir);
  d.cover_cur_after_own_change(covered);
  auto new_uids = d.add_own_messages(std::move(files));
  if (!new_uids) return new_uids;
  if (auto status = d.write_index(); !status) return status.error();
  if (auto status =
          record_quota_change(d.quota_root, bytes, static_cast<int64_t>(new_uids->size()));
      !status)
    return status.error();
  return new_uids;
}

}  // namespace gm::mail
