#include "local_delivery.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "core/log.hpp"
#include "core/str.hpp"
#include "mail/file_sink.hpp"
#include "mail/maildir.hpp"
#include "mail/maildir_quota.hpp"

namespace gm::mda {
namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return std::string(s);
}

bool starts_with_field(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':') return false;
  return to_lower(line.substr(0, name.size())) == to_lower(name);
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

Result<Spool> Spool::create(const std::string& dir) {
  return Spool(dir);
}

Status Spool::append(std::string_view bytes) {
  if (!fd_ && memory_.size() + bytes.size() <= kSpoolInMemory) {
    memory_.append(bytes);
    size_ += bytes.size();
    return {};
  }
  if (!fd_) {
    // O_TMPFILE: never visible, gone with the fd.
    fd_.reset(::open(dir_.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
    if (!fd_) return mail::storage_error("cannot create a spool file in", dir_);
    if (Status s = mail::pwrite_all(fd_.get(), memory_, 0, "spool"); !s) return s;
    memory_.clear();
    memory_.shrink_to_fit();
  }
  if (Status s = mail::pwrite_all(fd_.get(), bytes, size_, "spool"); !s) return s;
  size_ += bytes.size();
  return {};
}

Result<std::string> Spool::read(uint64_t offset, size_t length) const {
  if (!fd_) {
    if (offset >= memory_.size()) return std::string();
    return memory_.substr(static_cast<size_t>(offset), length);
  }
  return mail::pread_up_to(fd_.get(), offset, length, dir_);  // a failure: 452 4.3.1
}

Status Spool::finish() {
  auto head = read(0, static_cast<size_t>(std::min<uint64_t>(size_, kMaxHeaderScan)));
  if (!head) return head.error();
  delivered_to_ = delivered_to_values(*head);
  return {};
}

std::string delivery_headers(std::string_view sender, std::string_view recipient) {
  return str_cat("Return-Path: <", printable(sender, 1000),
                 ">\r\nDelivered-To: ", printable(recipient, 1000), "\r\n");
}

std::vector<std::string> delivered_to_values(std::string_view headers) {
  std::vector<std::string> values;
  std::string current;  // the field being unfolded
  bool in_field = false;
  auto flush = [&] {
    if (in_field) values.push_back(to_lower(trim(current)));
    in_field = false;
    current.clear();
  };
  size_t start = 0;
  while (start < headers.size()) {
    size_t lf = headers.find('\n', start);
    if (lf == std::string_view::npos) break;  // a cut-off last line is not a whole field
    std::string_view line = headers.substr(start, lf - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    start = lf + 1;
    if (line.empty()) break;                            // end of the header section
    if (line.front() == ' ' || line.front() == '\t') {  // RFC 5322 2.2.3 folding
      if (in_field) current += line;
      continue;
    }
    flush();
    if (starts_with_field(line, "Delivered-To")) {
      in_field = true;
      current = std::string(line.substr(13));
    }
  }
  flush();
  return values;
}

mail::SmtpReply deliver_to_mailbox(const Spool& spool, std::string_view sender,
                                   const MailboxTarget& target, const std::string& mail_dir) {
  const auto& seen = spool.delivered_to();
  if (std::find(seen.begin(), seen.end(), to_lower(target.address)) != seen.end())
    return mail::loop_detected();
  std::string root = str_cat(mail_dir, "/", target.mailbox);
  if (!exists(root)) {
    // A new user: INBOX and the special-use folders (DESIGN.md, Mail storage),
    // appearing whole, as other threads may deliver to this user meanwhile.
    if (Status s = mail::create_new_mailbox(root); !s) {
      log::error(str_cat("cannot create mailbox ", root, ": ", s.error().message));
      return mail::reply_from_error(s.error());
    }
  }
  std::string added = delivery_headers(sender, target.address);
  uint64_t size = added.size() + spool.size();
  if (target.quota > 0) {
    mail::MaildirQuota quota{target.quota, 0};
    auto usage = mail::quota_usage(root, quota);
    if (!usage) return mail::reply_from_error(usage.error());
    if (mail::would_exceed(quota, *usage, size)) return mail::over_quota();
  }
  auto delivery = mail::MaildirDelivery::begin(root);
  if (!delivery) return mail::reply_from_error(delivery.error());
  if (Status s = delivery->append(added); !s) return mail::reply_from_error(s.error());
  for (uint64_t offset = 0; offset < spool.size(); offset += kSpoolReadChunk) {
    auto chunk = spool.read(offset, kSpoolReadChunk);
    if (!chunk) return mail::reply_from_error(chunk.error());
    if (Status s = delivery->append(*chunk); !s) return mail::reply_from_error(s.error());
  }
  auto path = delivery->commit();  // fsync'ed file and new/: durable before the reply
  if (!path) return mail::reply_from_error(path.error());
  if (target.quota > 0)
    if (Status s = mail::record_quota_change(root, static_cast<int64_t>(size), 1); !s)
      log::warning(str_cat("maildirsize of ", root, ": ", s.error().message));
  return mail::ok("2.0.0", str_cat("Ok: delivered to ", target.address));
}

}  // namespace gm::mda
