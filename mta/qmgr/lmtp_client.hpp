// qmgr's side of LMTP (RFC 2033) to mda: a blocking client for a worker
// thread (each read and write waits at most the timeout), with the pure
// parts - reply parsing and dot-stuffing - separate for tests and fuzzing.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/unique_fd.hpp"
#include "mail/smtp_reply.hpp"

namespace gm::qmgr {

inline constexpr size_t kMaxLmtpReplyLine = 512;   // RFC 5321 4.5.3.1.5
inline constexpr size_t kMaxLmtpReplyLines = 100;  // a multi-line reply's lines
inline constexpr std::chrono::milliseconds kLmtpTimeout{300'000};

// A parsed server reply: code, enhanced code text (may be empty), text.
struct LmtpReply {
  int code = 0;
  std::string enhanced;
  std::string text;             // lines joined with "; "
  std::string summary() const;  // "452 4.2.2 Mailbox full"
};

// Feeds reply lines (without CRLF); done() when the last line ("250 x",
// not "250-x") came. Errors for malformed lines or a code that changes.
class LmtpReplyParser {
 public:
  Status feed(std::string_view line);
  bool done() const { return done_; }
  const LmtpReply& reply() const { return reply_; }

 private:
  LmtpReply reply_;
  size_t lines_ = 0;
  bool done_ = false;
};

// Dot-stuffing for DATA (RFC 5321 4.5.2): a '.' at the start of a line is
// doubled. Keeps the line-start state across chunks.
class DotStuffer {
 public:
  std::string stuff(std::string_view chunk);
  // The end of data: CRLF first when the content did not end with one.
  std::string finish() const;

 private:
  bool at_line_start_ = true;
  bool after_cr_ = false;
};

class LmtpClient {
 public:
  static Result<LmtpClient> connect(const std::string& socket_path,
                                    std::chrono::milliseconds timeout = kLmtpTimeout);
  Status send(std::string_view bytes);
  Result<LmtpReply> read_reply();
  // send(line + CRLF), then read_reply().
  Result<LmtpReply> command(std::string_view line);
  // Kept from an earlier transaction (lmtp_pool.hpp): mda may have closed it since.
  bool reused() const { return reused_; }
  void mark_reused() { reused_ = true; }

 private:
  LmtpClient(UniqueFd fd, std::chrono::milliseconds timeout)
      : fd_(std::move(fd)), timeout_(timeout) {}
  UniqueFd fd_;
  std::chrono::milliseconds timeout_;
  std::string unread_;
  bool reused_ = false;
};

}  // namespace gm::qmgr
