#include "pop3_maildrop.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <tuple>

#include "core/str.hpp"
#include "mail/mailbox_filename.hpp"
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

// When a message was delivered: the time in its Maildir name, else its
// internal date (lib/mail/mailbox_filename.hpp).
struct Delivered {
  mail::DeliveryTime time;
  const mail::MessageRecord* record = nullptr;
};

Delivered delivered(const mail::MessageRecord& record) {
  return {mail::maildir_delivery_time(record.filename)
              .value_or(mail::DeliveryTime{record.internal_date, 0}),
          &record};
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
  auto folder = mail::MailboxFolder::open(maildir);
  if (!folder) return folder.error();
  Pop3Maildrop drop(std::move(lock), std::move(*folder));
  if (Status s = drop.list(); !s) return s.error();
  return drop;
}

// Oldest first, as delivered (RFC 1939 leaves the order open; this is the
// order POP3 had before it used the index). The size on the wire needs
// one read of each file (the index keeps the size on disk).
Status Pop3Maildrop::list() {
  std::vector<Delivered> order;
  for (const mail::MessageRecord& record : folder_->messages()) order.push_back(delivered(record));
  std::sort(order.begin(), order.end(), [](const Delivered& a, const Delivered& b) {
    return std::tie(a.time, a.record->uid) < std::tie(b.time, b.record->uid);
  });
  if (order.size() > kMaxPop3Messages) order.resize(kMaxPop3Messages);
  for (const Delivered& d : order) {
    auto fd = folder_->open_message(d.record->uid);
    if (!fd) continue;  // expunged meanwhile by another client
    auto size = wire_size(fd->get());
    if (!size) return size.error();
    messages_.push_back({d.record->uid, pop3_uidl(d.record->filename), *size, false});
  }
  return {};
}

Result<UniqueFd> Pop3Maildrop::open_message(const Pop3Message& m) const {
  return folder_->open_message(m.uid);
}

Result<size_t> Pop3Maildrop::commit() {
  std::vector<uint32_t> uids;
  for (const Pop3Message& m : messages_)
    if (m.deleted) uids.push_back(m.uid);
  if (uids.empty()) return size_t{0};
  if (Status s = folder_->expunge(uids); !s) return s.error();
  // expunge() skips a file it cannot unlink: such a message is still listed.
  size_t left = std::count_if(uids.begin(), uids.end(),
                              [&](uint32_t uid) { return folder_->find(uid) != nullptr; });
  if (left > 0) return make_error(str_cat(left, " deleted messages could not be removed"));
  return uids.size();
}

}  // namespace gm::maa
