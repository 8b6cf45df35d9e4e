// The blocking half of mda: the message body spooled once per LMTP
// transaction, and its delivery into one user's Maildir++ (Return-Path
// and Delivered-To added, quota checked, fsync'ed before the reply).
// Every call here blocks on the disk: run it on a worker thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/unique_fd.hpp"
#include "mail/smtp_reply.hpp"

namespace gm::mda {

inline constexpr size_t kMaxHeaderScan = 256 << 10;  // header bytes searched for Delivered-To
inline constexpr size_t kSpoolReadChunk = 64 << 10;

// One message body (CRLF, dot-unstuffed) held for the transaction's
// deliveries: in memory up to kSpoolInMemory bytes, beyond that in an
// unlinked temporary file under `dir` (a file create, write and free per
// message cost mda more than the Maildir write itself). Nothing of it
// survives a crash, nor needs to: the message is still in qmgr's queue
// until mda answers.
inline constexpr size_t kSpoolInMemory = 256 << 10;

class Spool {
 public:
  static Result<Spool> create(const std::string& dir);
  Status append(std::string_view bytes);
  // After the last append: learns the message's Delivered-To headers.
  Status finish();
  // Up to `length` bytes from `offset` (fewer at the end).
  Result<std::string> read(uint64_t offset, size_t length) const;

  uint64_t size() const { return size_; }
  const std::vector<std::string>& delivered_to() const { return delivered_to_; }

 private:
  explicit Spool(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
  std::string memory_;  // the body while it fits
  UniqueFd fd_;         // the body once it outgrew memory_
  uint64_t size_ = 0;
  std::vector<std::string> delivered_to_;  // lower case
};

struct MailboxTarget {
  std::string address;  // canonical user address: the Delivered-To value
  std::string mailbox;  // relative to mail_dir
  uint64_t quota = 0;   // bytes, 0: none
};

// "Return-Path: <sender>\r\nDelivered-To: recipient\r\n" (RFC 5321 4.4).
std::string delivery_headers(std::string_view sender, std::string_view recipient);
// The values of the Delivered-To fields of a header section (unfolded,
// trimmed, lower case); stops at the first empty line.
std::vector<std::string> delivered_to_values(std::string_view headers);

// Delivers the spooled message to one mailbox: 250 2.0.0, 452 4.2.2 over
// quota, 554 5.4.6 when the message already went through this mailbox
// (a Delivered-To naming it), 451/452 4.3.x on local trouble.
mail::SmtpReply deliver_to_mailbox(const Spool& spool, std::string_view sender,
                                   const MailboxTarget& target, const std::string& mail_dir);

}  // namespace gm::mda
