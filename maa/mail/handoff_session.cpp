#include "handoff_session.hpp"

#include <sys/stat.h>
#include <climits>
#include <cstdlib>

#include <algorithm>

#include "core/log.hpp"
#include "core/str.hpp"
#include "mail/maildir.hpp"
#include "net/connection.hpp"
#include "pop3_session.hpp"

namespace gm::maa {
namespace {

// maa sends the handoff at once; a peer that does not is not maa.
constexpr std::chrono::milliseconds kHandoffTimeout{10'000};

bool has_dot_segment(std::string_view path) {
  for (const std::string& part : split(path, "/"))
    if (part == "." || part == "..") return true;
  return false;
}

bool inside(const std::string& root, const std::string& path) {
  return path.size() > root.size() + 1 && path.compare(0, root.size(), root) == 0 &&
         path[root.size()] == '/';
}

class HandoffSession final : public net::Session {
 public:
  explicit HandoffSession(MailContext& ctx) : ctx_(ctx) {}

  void on_connect(net::Connection& c) override {
    auto uid = c.peer_uid();
    const auto& trusted = ctx_.trusted_uids;
    if (!uid || std::find(trusted.begin(), trusted.end(), *uid) == trusted.end()) {
      log::write(log::Level::kWarning, c.session_id(),
                 str_cat("handoff refused: peer uid ", uid ? std::to_string(*uid) : "unknown",
                         " is not maa's"));
      return c.close();
    }
    c.set_timeouts(kHandoffTimeout, kHandoffTimeout);
  }

  void on_line(net::Connection& c, std::string_view line) override {
    if (engine_) return engine_->on_line(c, line);
    auto handoff = mail::parse_handoff(line);
    if (!handoff) return refuse(c, handoff.error().message);
    auto maildir = checked_maildir(ctx_.mail_dir, handoff->maildir);
    if (!maildir) return refuse(c, maildir.error().message);
    handoff->maildir = std::move(*maildir);
    log::write(log::Level::kInfo, c.session_id(),
               str_cat("handoff ", mail::protocol_name(handoff->protocol), " ", handoff->user,
                       " from [", handoff->client, "] session ", handoff->session));
    // After login: the protocol's idle timeout, no session timeout.
    bool pop3 = handoff->protocol == mail::AccessProtocol::kPop3;
    c.set_timeouts(pop3 ? ctx_.pop3_idle_timeout : ctx_.imap_idle_timeout,
                   std::chrono::milliseconds(0));
    engine_ = pop3 ? make_pop3_session(ctx_, std::move(*handoff))
                   : make_imap_engine(ctx_, std::move(*handoff));
    engine_->on_connect(c);  // sends nothing for IMAP: maa answered the login
  }

  void on_line_too_long(net::Connection& c) override {
    if (engine_) return engine_->on_line_too_long(c);
    refuse(c, "handoff line too long");
  }
  void on_data(net::Connection& c, std::string_view chunk, bool last) override {
    if (engine_) return engine_->on_data(c, chunk, last);
    c.close();
  }
  void on_drain(net::Connection& c) override {
    if (engine_) engine_->on_drain(c);
  }
  void on_timeout(net::Connection& c, net::Timeout which) override {
    if (engine_) engine_->on_timeout(c, which);
  }
  void on_refused(net::Connection& c, net::Refusal) override { c.close(); }
  void on_close(net::Connection& c) override {
    if (engine_) engine_->on_close(c);
  }

 private:
  void refuse(net::Connection& c, std::string_view why) {
    log::write(log::Level::kWarning, c.session_id(), str_cat("handoff refused: ", why));
    c.close();
  }

  MailContext& ctx_;
  std::unique_ptr<net::Session> engine_;
};

}  // namespace

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
    if (Status s = mail::create_default_folders(maildir); !s) return s.error();
  }
  char buffer[PATH_MAX];
  if (::realpath(maildir.c_str(), buffer) == nullptr)
    return make_error(str_cat("maildir ", maildir, " cannot be resolved"));
  std::string real(buffer);
  if (!inside(mail_dir_real, real))
    return make_error(str_cat("maildir ", real, " is not inside ", mail_dir_real));
  return real;
}

std::unique_ptr<net::Session> make_handoff_session(MailContext& ctx) {
  return std::make_unique<HandoffSession>(ctx);
}

}  // namespace gm::maa
