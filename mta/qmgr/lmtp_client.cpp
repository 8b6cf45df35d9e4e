#include "lmtp_client.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "core/str.hpp"
#include "net/ipc.hpp"

namespace gm::qmgr {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// RFC 3463 2: class.subject.detail, each 1-3 digits.
bool is_enhanced(std::string_view s) {
  if (s.size() < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.') return false;
  int dots = 0;
  size_t digits = 0;
  for (size_t i = 2; i < s.size(); ++i) {
    if (s[i] == '.') {
      if (digits == 0) return false;
      ++dots;
      digits = 0;
    } else if (is_digit(s[i]) && digits < 3) {
      ++digits;
    } else {
      return false;
    }
  }
  return dots == 1 && digits > 0;
}

Status wait_for(int fd, short events, std::chrono::milliseconds timeout) {
  pollfd p{fd, events, 0};
  while (true) {
    int n = poll(&p, 1, static_cast<int>(timeout.count()));
    if (n > 0) return {};
    if (n == 0) return make_error("LMTP: timed out", 451);
    if (errno != EINTR) return make_error(str_cat("LMTP: poll: ", std::strerror(errno)), 451);
  }
}

}  // namespace

std::string LmtpReply::summary() const {
  std::string out = str_cat(code);
  if (!enhanced.empty()) out += str_cat(" ", enhanced);
  if (!text.empty()) out += str_cat(" ", text);
  return out;
}

Status LmtpReplyParser::feed(std::string_view line) {
  if (done_) return make_error("LMTP: reply already complete");
  if (++lines_ > kMaxLmtpReplyLines) return make_error("LMTP: reply too long");
  if (line.size() > kMaxLmtpReplyLine) return make_error("LMTP: reply line too long");
  if (line.size() < 3 || !is_digit(line[0]) || !is_digit(line[1]) || !is_digit(line[2]) ||
      line[0] < '2' || line[0] > '5')
    return make_error("LMTP: malformed reply");
  if (line.size() > 3 && line[3] != ' ' && line[3] != '-')
    return make_error("LMTP: malformed reply");
  int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (lines_ > 1 && code != reply_.code) return make_error("LMTP: reply code changed");
  reply_.code = code;
  done_ = line.size() == 3 || line[3] == ' ';
  std::string_view text = line.size() > 4 ? line.substr(4) : std::string_view();
  size_t space = text.find(' ');
  std::string_view first = text.substr(0, space);
  if (lines_ == 1 && is_enhanced(first) && first[0] == line[0]) {
    reply_.enhanced = std::string(first);
    text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
  } else if (lines_ > 1 && !reply_.enhanced.empty() && text.starts_with(reply_.enhanced)) {
    text.remove_prefix(std::min(text.size(), reply_.enhanced.size() + 1));
  }
  if (!text.empty()) {
    if (!reply_.text.empty()) reply_.text += "; ";
    reply_.text += printable(text, kMaxLmtpReplyLine);
  }
  return {};
}

// A line at a time: memchr finds each LF, and only the byte after it is
// looked at. Only CRLF ends a line (a bare LF does not, as in SMTP).
std::string DotStuffer::stuff(std::string_view chunk) {
  std::string out;
  out.reserve(chunk.size() + 16);
  size_t i = 0;
  while (i < chunk.size()) {
    if (at_line_start_ && chunk[i] == '.') out += '.';
    const void* lf = std::memchr(chunk.data() + i, '\n', chunk.size() - i);
    size_t end = lf ? static_cast<size_t>(static_cast<const char*>(lf) - chunk.data()) + 1
                    : chunk.size();
    out.append(chunk.substr(i, end - i));
    if (lf) {
      at_line_start_ = end - i >= 2 ? chunk[end - 2] == '\r' : after_cr_;
      after_cr_ = false;
    } else {
      at_line_start_ = false;
      after_cr_ = chunk[end - 1] == '\r';
    }
    i = end;
  }
  return out;
}

std::string DotStuffer::finish() const {
  return at_line_start_ ? ".\r\n" : "\r\n.\r\n";
}

Result<LmtpClient> LmtpClient::connect(const std::string& socket_path,
                                       std::chrono::milliseconds timeout) {
  auto fd = net::connect_unix(socket_path, std::chrono::milliseconds(2000));
  if (!fd) return make_error(str_cat("4.4.1 mda unreachable: ", fd.error().message), 451);
  return LmtpClient(std::move(*fd), timeout);
}

Status LmtpClient::send(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN)
      return make_error(str_cat("4.4.2 LMTP send: ", std::strerror(errno)), 451);
    if (Status s = wait_for(fd_.get(), POLLOUT, timeout_); !s) return s;
  }
  return {};
}

Result<LmtpReply> LmtpClient::read_reply() {
  LmtpReplyParser parser;
  std::array<char, 4096> buffer;
  while (!parser.done()) {
    size_t lf = unread_.find('\n');
    if (lf != std::string::npos) {
      std::string_view line(unread_.data(), lf);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      Status s = parser.feed(line);
      unread_.erase(0, lf + 1);
      if (!s) return make_error(str_cat("4.4.2 ", s.error().message), 451);
      continue;
    }
    if (unread_.size() > kMaxLmtpReplyLine)
      return make_error("4.4.2 LMTP: reply line too long", 451);
    if (Status s = wait_for(fd_.get(), POLLIN, timeout_); !s) return s.error();
    ssize_t n = ::recv(fd_.get(), buffer.data(), buffer.size(), 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return make_error("4.4.2 LMTP: connection closed by mda", 451);
    unread_.append(buffer.data(), static_cast<size_t>(n));
  }
  return parser.reply();
}

Result<LmtpReply> LmtpClient::command(std::string_view line) {
  if (Status s = send(str_cat(line, "\r\n")); !s) return s.error();
  return read_reply();
}

}  // namespace gm::qmgr
