#include "mail/maildir.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <cstring>

#include "core/directory_sync_group.hpp"
#include "core/durable_file.hpp"
#include "core/str.hpp"

namespace gm::mail {
namespace {

constexpr mode_t kDirMode = 0700;

Status make_dir(const std::string& path) {
  if (::mkdir(path.c_str(), kDirMode) != 0 && errno != EEXIST) return storage_error("mkdir", path);
  return {};
}

std::string escaped_hostname() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') return "localhost";
  std::string out;
  for (char c : std::string_view(host)) {
    if (c == '/')
      out += "\\057";
    else if (c == ':')
      out += "\\072";
    else
      out += c;
  }
  return out;
}

}  // namespace

bool is_valid_folder_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxFolderName || name.front() == '.' || name.back() == '.')
    return false;
  if (name.find("..") != std::string_view::npos) return false;
  for (unsigned char c : name)
    if (c == '/' || c < 0x20 || c == 0x7f) return false;
  return true;
}

Result<std::string> folder_path(const std::string& root, std::string_view folder) {
  if (folder.empty() || iequals(folder, "INBOX")) return root;
  if (!is_valid_folder_name(folder))
    return make_error(str_cat("bad folder name ", printable(folder, 60)));
  return str_cat(root, "/.", folder);
}

Status create_maildir(const std::string& root) {
  if (auto status = core::make_directories(root, kDirMode); !status) return status;
  for (const char* sub : {"/tmp", "/new", "/cur"})
    if (auto status = make_dir(root + sub); !status) return status;
  return {};
}

Status create_folder(const std::string& root, std::string_view folder) {
  auto path = folder_path(root, folder);
  if (!path) return path.error();
  if (auto status = create_maildir(root); !status) return status;
  if (*path == root) return {};
  if (auto status = make_dir(*path); !status) return status;
  for (const char* sub : {"/tmp", "/new", "/cur"})
    if (auto status = make_dir(*path + sub); !status) return status;
  // Maildir++: the marker that tells delivery agents this is a folder, not a root.
  std::string marker = *path + "/maildirfolder";
  int fd = ::open(marker.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return storage_error("create", marker);
  ::close(fd);
  return core::fsync_directory(root);
}

Status create_default_folders(const std::string& root) {
  if (auto status = create_maildir(root); !status) return status;
  for (std::string_view folder : kDefaultFolders)
    if (auto status = create_folder(root, folder); !status) return status;
  return {};
}

Status create_new_mailbox(const std::string& root) {
  size_t slash = root.find_last_of('/');
  std::string parent = slash == std::string::npos ? "." : root.substr(0, slash);
  if (slash == 0) parent = "/";
  if (auto status = core::make_directories(parent, kDirMode); !status) return status;
  // ".gm-new.": a leftover after a crash is no user's mailbox (never a login name).
  std::string temp = str_cat(parent, "/.gm-new.", maildir_unique_name());
  Status status = create_default_folders(temp);
  if (status) {
    if (::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, root.c_str(), RENAME_NOREPLACE) == 0)
      return core::fsync_directory(parent);
    if (errno != EEXIST) status = storage_error("rename", temp);  // EEXIST: another one won
  }
  std::error_code ignored;
  std::filesystem::remove_all(temp, ignored);
  return status;
}

std::string maildir_unique_name() {
  static std::atomic<uint32_t> deliveries{0};
  static const std::string host = escaped_hostname();
  using namespace std::chrono;
  auto now = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  return str_cat(now / 1000000, ".M", now % 1000000, 'P', static_cast<int>(::getpid()), 'Q',
                 ++deliveries, '.', host);
}

MaildirDelivery::MaildirDelivery(FileSink sink, std::string folder_dir, std::string name)
    : sink_(std::move(sink)), folder_dir_(std::move(folder_dir)), name_(std::move(name)) {}

MaildirDelivery::MaildirDelivery(MaildirDelivery&& o) noexcept
    : sink_(std::move(o.sink_)),
      folder_dir_(std::move(o.folder_dir_)),
      name_(std::move(o.name_)),
      size_(o.size_),
      done_(o.done_) {
  o.done_ = true;
}

MaildirDelivery::~MaildirDelivery() {
  abort();
}

void MaildirDelivery::abort() {
  if (done_) return;
  done_ = true;
  sink_.close();
  ::unlink(sink_.path().c_str());
}

Result<MaildirDelivery> MaildirDelivery::begin(const std::string& root, std::string_view folder) {
  auto dir = folder_path(root, folder);
  if (!dir) return dir.error();
  std::string name = maildir_unique_name();
  std::string temp = str_cat(*dir, "/tmp/", name);
  UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) return storage_error("create", temp);
  return MaildirDelivery(FileSink(std::move(fd), temp, kMaildirWriteBuffer), *dir, name);
}

Status MaildirDelivery::append(std::string_view chunk) {
  if (done_) return make_error("4.3.0 delivery already closed", 451);
  size_ += chunk.size();
  return sink_.append(chunk);
}

Result<std::string> MaildirDelivery::commit() {
  if (done_) return make_error("4.3.0 delivery already closed", 451);
  if (auto status = sink_.fsync(); !status) return status.error();
  sink_.close();
  // ",S=<size>" lets quota scans and IMAP servers skip a stat() (Maildir++).
  std::string target = str_cat(folder_dir_, "/new/", name_, ",S=", size_);
  if (::renameat2(AT_FDCWD, sink_.path().c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE))
    return storage_error("rename", sink_.path());
  done_ = true;
  // Shared with the other deliveries renaming into new/ at the same moment.
  if (auto status = core::fsync_directory_grouped(folder_dir_ + "/new"); !status)
    return make_error(str_cat("4.3.1 ", status.error().message), 452);
  return target;
}

}  // namespace gm::mail
