#include "pop3_maildrop.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <tuple>

#include "core/str.hpp"
#include "mail/maildir_quota.hpp"
#include "mail/pop3_body_writer.hpp"

namespace gm::maa {
namespace {

constexpr size_t kScanChunk = 64 * 1024;

Error sys_error(std::string_view what, const std::string& path) {
  return make_error(str_cat(what, " ", path, ": ", std::strerror(errno)));
}

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

// The size on the wire: one read of the file (bare LFs count a CR more).
Result<uint64_t> wire_size(int fd) {
  std::array<char, kScanChunk> buffer;
  uint64_t size = 0;
  bool after_cr = false;
  while (true) {
    ssize_t got = ::read(fd, buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return make_error(str_cat("read: ", std::strerror(errno)));
    if (got == 0) return size;
    size += mail::Pop3BodyWriter::wire_size({buffer.data(), static_cast<size_t>(got)}, after_cr);
  }
}

struct Entry {
  std::string file;
  int64_t seconds;       // delivery time: from the name "<sec>.M<usec>...", else mtime
  int64_t microseconds;  // from "M<usec>", else 0
};

// The delivery time a Maildir name starts with (maildir_unique_name():
// "<sec>.M<usec>P<pid>Q<n>.<host>"); usec is not zero-padded, so names do
// not sort by time as text.
void delivery_time(std::string_view name, Entry& e) {
  size_t dot = name.find('.');
  auto sec = parse_number<int64_t>(name.substr(0, dot));
  if (!sec) return;
  e.seconds = *sec;
  if (dot + 1 < name.size() && name[dot + 1] == 'M') {
    std::string_view rest = name.substr(dot + 2);
    auto usec = parse_number<int64_t>(rest.substr(0, rest.find_first_not_of("0123456789")));
    if (usec) e.microseconds = *usec;
  }
}

Status list_dir(const std::string& maildir, std::string_view sub, std::vector<Entry>& out) {
  std::string path = str_cat(maildir, "/", sub);
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) {
    if (errno == ENOENT) return {};
    return sys_error("opendir", path);
  }
  while (dirent* e = ::readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    std::string file = str_cat(sub, "/", e->d_name);
    struct stat st {};
    if (::stat(str_cat(maildir, "/", file).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    Entry entry{std::move(file), static_cast<int64_t>(st.st_mtime), 0};
    delivery_time(e->d_name, entry);
    out.push_back(std::move(entry));
  }
  ::closedir(dir);
  return {};
}

}  // namespace

std::string pop3_uidl(std::string_view file_name) {
  std::string_view base = file_name.substr(0, file_name.find(':'));
  bool printable = !base.empty() && base.size() <= kMaxUidlLength;
  for (char c : base) printable = printable && c > 0x20 && c < 0x7f;
  return printable ? std::string(base) : sha256_hex(base);
}

Result<Pop3Maildrop> Pop3Maildrop::open(const std::string& maildir) {
  std::string lock_path = str_cat(maildir, "/", kPop3LockFile);
  UniqueFd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!lock) return sys_error("open", lock_path);
  if (::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) return make_error("maildrop locked", kLockedCode);
    return sys_error("flock", lock_path);
  }
  Pop3Maildrop drop(maildir, std::move(lock));
  if (Status s = drop.scan(); !s) return s.error();
  return drop;
}

// Oldest first, as delivered.
Status Pop3Maildrop::scan() {
  std::vector<Entry> entries;
  for (std::string_view sub : {"cur", "new"})
    if (Status s = list_dir(maildir_, sub, entries); !s) return s;
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.seconds, a.microseconds, a.file) <
           std::tie(b.seconds, b.microseconds, b.file);
  });
  if (entries.size() > kMaxPop3Messages) entries.resize(kMaxPop3Messages);
  for (Entry& e : entries) {
    std::string path = str_cat(maildir_, "/", e.file);
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) continue;  // gone meanwhile (another client's expunge)
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) continue;
    auto size = wire_size(fd.get());
    if (!size) return size.error();
    Pop3Message m;
    m.uidl = pop3_uidl(std::string_view(e.file).substr(4));
    m.file = std::move(e.file);
    m.size = *size;
    m.disk_size = static_cast<uint64_t>(st.st_size);
    messages_.push_back(std::move(m));
  }
  return {};
}

Result<UniqueFd> Pop3Maildrop::open_message(const Pop3Message& m) const {
  std::string path = str_cat(maildir_, "/", m.file);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) return sys_error("open", path);
  return fd;
}

Result<size_t> Pop3Maildrop::commit() {
  size_t removed = 0;
  int64_t bytes = 0;
  Status failure;
  for (const Pop3Message& m : messages_) {
    if (!m.deleted) continue;
    std::string path = str_cat(maildir_, "/", m.file);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      failure = sys_error("unlink", path);
      continue;
    }
    ++removed;
    bytes += static_cast<int64_t>(m.disk_size);
  }
  // Maildir++ quota: the usage goes down with the removed messages.
  if (removed > 0 && ::access(str_cat(maildir_, "/maildirsize").c_str(), F_OK) == 0)
    (void)mail::record_quota_change(maildir_, -bytes, -static_cast<int64_t>(removed));
  if (!failure) return failure.error();
  return removed;
}

}  // namespace gm::maa
