#include "mail/maildir_quota.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <optional>

#include "core/durable_file.hpp"
#include "core/str.hpp"
#include "mail/file_sink.hpp"
#include "mail/maildir.hpp"

namespace gm::mail {
namespace {

std::string size_file(const std::string& root) {
  return root + "/maildirsize";
}

// Size from the ",S=<n>" part of a Maildir++ name, else from stat().
std::optional<uint64_t> message_size(const std::string& dir, std::string_view name) {
  auto s = name.find(",S=");
  if (s != std::string_view::npos) {
    std::string_view digits = name.substr(s + 3);
    digits = digits.substr(0, digits.find_first_not_of("0123456789"));
    if (auto n = parse_number<uint64_t>(digits)) return n;
  }
  struct stat st;
  std::string path = str_cat(dir, '/', name);
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return static_cast<uint64_t>(st.st_size);
}

void add_directory(const std::string& dir, QuotaUsage& usage) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;  // a folder without new/ or cur/ holds nothing
  while (const dirent* entry = ::readdir(d)) {
    if (entry->d_name[0] == '.') continue;
    if (auto size = message_size(dir, entry->d_name)) {
      usage.bytes += static_cast<int64_t>(*size);
      usage.messages += 1;
    }
  }
  ::closedir(d);
}

QuotaUsage scan(const std::string& root) {
  QuotaUsage usage;
  add_directory(root + "/new", usage);
  add_directory(root + "/cur", usage);
  DIR* d = ::opendir(root.c_str());
  if (!d) return usage;
  while (const dirent* entry = ::readdir(d)) {
    std::string_view name = entry->d_name;
    if (name.size() < 2 || name[0] != '.' || name == "..") continue;
    std::string folder = str_cat(root, '/', name);
    add_directory(folder + "/new", usage);
    add_directory(folder + "/cur", usage);
  }
  ::closedir(d);
  return usage;
}

// Sums the file; nullopt when it must be recalculated.
std::optional<QuotaUsage> sum_size_file(const std::string& text, const MaildirQuota& quota) {
  auto lines = split(text, "\n");
  if (lines.empty() || text.size() > kMaildirSizeRecalcAt) return std::nullopt;
  auto defined = parse_quota(lines[0]);
  if (!defined || !(*defined == quota)) return std::nullopt;
  QuotaUsage usage;
  for (size_t i = 1; i < lines.size(); ++i) {
    auto fields = split(lines[i], " ");
    if (fields.size() != 2) return std::nullopt;
    auto bytes = parse_number<int64_t>(fields[0]);
    auto count = parse_number<int64_t>(fields[1]);
    if (!bytes || !count) return std::nullopt;
    usage.bytes += *bytes;
    usage.messages += *count;
  }
  return usage;
}

}  // namespace

std::string format_quota(const MaildirQuota& quota) {
  std::string out;
  if (quota.bytes) out += str_cat(quota.bytes, 'S');
  if (quota.messages) out += str_cat(out.empty() ? "" : ",", quota.messages, 'C');
  return out.empty() ? "0S" : out;
}

Result<MaildirQuota> parse_quota(std::string_view line) {
  MaildirQuota quota;
  for (const std::string& part : split(line, ",")) {
    if (part.size() < 2) return make_error("bad quota definition");
    auto n = parse_number<uint64_t>(std::string_view(part).substr(0, part.size() - 1));
    if (!n) return make_error("bad quota definition");
    if (part.back() == 'S')
      quota.bytes = *n;
    else if (part.back() == 'C')
      quota.messages = *n;
    else
      return make_error("bad quota definition");
  }
  return quota;
}

Result<QuotaUsage> recalculate_quota(const std::string& root, const MaildirQuota& quota) {
  QuotaUsage usage = scan(root);
  std::string text = str_cat(format_quota(quota), '\n', usage.bytes, ' ', usage.messages, '\n');
  // Maildir++: written under tmp/ and renamed, so readers see old or new.
  std::string temp = str_cat(root, "/tmp/", maildir_unique_name(), ".maildirsize");
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return storage_error("create", temp);
  bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!written || ::rename(temp.c_str(), size_file(root).c_str()) != 0) {
    Error error = storage_error("write", temp);
    ::unlink(temp.c_str());
    return error;
  }
  return usage;
}

Result<QuotaUsage> quota_usage(const std::string& root, const MaildirQuota& quota) {
  auto text = core::read_file(size_file(root), kMaildirSizeRecalcAt + 1);
  std::optional<QuotaUsage> usage;
  if (text) usage = sum_size_file(*text, quota);
  if (!usage) return recalculate_quota(root, quota);
  // Maildir++: over quota by a file not touched for 15 minutes may be drift
  // (messages removed by a client that does not update maildirsize).
  struct stat st;
  if (would_exceed(quota, *usage, 0) && ::stat(size_file(root).c_str(), &st) == 0 &&
      std::time(nullptr) - st.st_mtime > kMaildirSizeStaleSeconds)
    return recalculate_quota(root, quota);
  return *usage;
}

bool would_exceed(const MaildirQuota& quota, const QuotaUsage& usage, uint64_t message_bytes) {
  if (quota.bytes &&
      usage.bytes + static_cast<int64_t>(message_bytes) > static_cast<int64_t>(quota.bytes))
    return true;
  return quota.messages && usage.messages + 1 > static_cast<int64_t>(quota.messages);
}

Status record_quota_change(const std::string& root, int64_t bytes, int64_t messages) {
  std::string path = size_file(root);
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 && errno == ENOENT) return {};  // recalculated at the next delivery
  if (fd < 0) return storage_error("open", path);
  std::string line = str_cat(bytes, ' ', messages, '\n');
  bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  if (!written) return storage_error("append", path);
  return {};
}

}  // namespace gm::mail
