#include "handoff_session.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <climits>
#include <cstdlib>
#include <cstring>

#include <algorithm>
#include <array>

#include "core/log.hpp"
#include "core/str.hpp"
#include "mail/maildir.hpp"
#include "net/connection.hpp"
#include "pop3_session.hpp"

namespace gm::maa {
namespace {

bool has_dot_segment(std::string_view path) {
  for (const std::string& part : split(path, "/"))
    if (part == "." || part == "..") return true;
  return false;
}

bool inside(const std::string& root, const std::string& path) {
  return path.size() > root.size() + 1 && path.compare(0, root.size(), root) == 0 &&
         path[root.size()] == '/';
}

}  // namespace

HandoffReader::HandoffReader(MailContext& ctx, UniqueFd fd, Done done)
    : ctx_(ctx),
      fd_(std::move(fd)),
      done_(std::move(done)),
      log_id_(log::new_session_id()),
      timeout_(ctx.loop, [this] { fail("no handoff line in time"); }),
      watch_(ctx.loop, fd_.get(), net::FdWatch::Direction::kRead, [this] { read(); }) {}

void HandoffReader::start() {
  auto uid = net::socket_peer_uid(fd_.get());
  const auto& trusted = ctx_.trusted_uids;
  if (!uid || std::find(trusted.begin(), trusted.end(), *uid) == trusted.end())
    return fail(str_cat("peer uid ", uid ? std::to_string(*uid) : "unknown", " is not maa's"));
  timeout_.start(kHandoffTimeout);
  watch_.start();
}

// Peeks, then takes only up to the LF: what follows belongs to the engine.
void HandoffReader::read() {
  std::array<char, mail::kMaxHandoffLine + 2> buffer;  // + CRLF
  ssize_t n = ::recv(fd_.get(), buffer.data(), buffer.size(), MSG_PEEK);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
  if (n < 0) return fail(str_cat("recv: ", std::strerror(errno)));
  if (n == 0) return fail("closed before the handoff line");
  auto peeked = std::string_view(buffer.data(), static_cast<size_t>(n));
  size_t lf = peeked.find('\n');
  size_t take = lf == std::string_view::npos ? peeked.size() : lf + 1;
  if (::recv(fd_.get(), buffer.data(), take, 0) != static_cast<ssize_t>(take))
    return fail("recv: the peeked bytes went away");
  line_.append(buffer.data(), lf == std::string_view::npos ? take : lf);
  if (line_.size() > mail::kMaxHandoffLine + 1) return fail("handoff line too long");
  if (lf == std::string_view::npos) return;
  if (line_.ends_with('\r')) line_.pop_back();
  auto handoff = mail::parse_handoff(line_);
  if (!handoff) return fail(handoff.error().message);
  auto maildir = checked_maildir(ctx_.mail_dir, handoff->maildir);
  if (!maildir) return fail(maildir.error().message);
  handoff->maildir = std::move(*maildir);
  finish(std::move(*handoff));
}

void HandoffReader::fail(std::string_view why) {
  log::write(log::Level::kWarning, log_id_, str_cat("handoff refused: ", why));
  watch_.stop();  // before the fd closes
  fd_.reset();
  finish(make_error(std::string(why)));
}

void HandoffReader::finish(Result<mail::MaaHandoff> handoff) {
  watch_.stop();
  timeout_.cancel();
  done_(*this, std::move(handoff));
}

Result<std::string> checked_maildir(const std::string& mail_dir_real, const std::string& maildir) {
  if (has_dot_segment(maildir)) return make_error(str_cat("maildir ", maildir, " has . or .."));
  struct stat st {};
  if (::lstat(maildir.c_str(), &st) != 0) {
    // A user without mail yet: its deepest existing ancestor must be
    // mail_dir or inside it before anything is created.
    std::string ancestor = maildir;
    do {
      ancestor = ancestor.substr(0, ancestor.find_last_of('/'));
    } while (!ancestor.empty() && ::lstat(ancestor.c_str(), &st) != 0);
    char buffer[PATH_MAX];
    std::string real = ::realpath(ancestor.empty() ? "/" : ancestor.c_str(), buffer) ? buffer : "";
    if (real != mail_dir_real && !inside(mail_dir_real, real))
      return make_error(str_cat("maildir ", maildir, " is not inside ", mail_dir_real));
    if (Status s = mail::create_new_mailbox(maildir); !s) return s.error();
  }
  char buffer[PATH_MAX];
  if (::realpath(maildir.c_str(), buffer) == nullptr)
    return make_error(str_cat("maildir ", maildir, " cannot be resolved"));
  std::string real(buffer);
  if (!inside(mail_dir_real, real))
    return make_error(str_cat("maildir ", real, " is not inside ", mail_dir_real));
  return real;
}

std::unique_ptr<net::Session> make_mail_engine(MailContext& ctx, mail::MaaHandoff handoff) {
  if (handoff.protocol == mail::AccessProtocol::kPop3)
    return make_pop3_session(ctx, std::move(handoff));
  return make_imap_engine(ctx, std::move(handoff));
}

}  // namespace gm::maa
