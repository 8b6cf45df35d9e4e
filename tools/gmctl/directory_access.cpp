#include "directory_access.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "auth/directory_admin.hpp"
#include "core/privileges.hpp"
#include "core/str.hpp"
#include "core/unique_fd.hpp"
#include "store/user_directory.hpp"
#include "store/writer_lock.hpp"

namespace gm::gmctl {
namespace {

constexpr int kReplyTimeoutMs = 30'000;
constexpr size_t kMaxReplySize = 64 << 20;  // a listing of many users

Result<UniqueFd> connect_admin_socket(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) return make_error("admin socket path too long");
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd || ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
    return make_error(
        str_cat("authd is running (it holds the user directory) but its admin socket ", path,
                " does not answer: ", std::strerror(errno)));
  return fd;
}

Status send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return make_error(str_cat("writing to authd: ", std::strerror(errno)));
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

Result<store::AdminReply> via_socket(const std::string& path, const store::AdminRequest& request) {
  Result<UniqueFd> fd = connect_admin_socket(path);
  if (!fd) return fd.error();
  if (Status s = send_all(fd->get(), store::encode_admin_request(request)); !s) return s.error();
  store::AdminReplyReader reader(request.command);
  std::string buffer;
  size_t total = 0;
  while (!reader.done()) {
    pollfd p{fd->get(), POLLIN, 0};
    int ready = ::poll(&p, 1, kReplyTimeoutMs);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) return make_error("authd did not answer in time");
    char chunk[16384];
    ssize_t n = ::read(fd->get(), chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return make_error("authd closed the admin connection before replying");
    total += static_cast<size_t>(n);
    if (total > kMaxReplySize) return make_error("reply from authd too large");
    buffer.append(chunk, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t eol; !reader.done() && (eol = buffer.find('\n', start)) != std::string::npos;
         start = eol + 1)
      if (Status s = reader.feed(std::string_view(buffer).substr(start, eol - start)); !s)
        return s.error();
    buffer.erase(0, start);
  }
  return std::move(reader.reply());
}

// Root hands the directory to auth_user and becomes that account before
// opening it, so the files it creates belong to authd. The lock, held on
// an open file, survives the switch.
Status become_directory_owner(const core::Config& config, const std::string& db_dir) {
  if (core::current_account().uid != 0) return {};
  Result<core::Account> account = core::lookup_account(config.string("auth_user"));
  if (!account) return account.error();
  for (const std::string& path : {db_dir, str_cat(db_dir, "/", store::kWriterLockFile)})
    if (::chown(path.c_str(), account->uid, account->gid) != 0)
      return make_error(str_cat("chown ", path, ": ", std::strerror(errno)));
  return core::drop_privileges(*account);
}

}  // namespace

Result<store::AdminReply> run_admin_request(const core::Config& config,
                                            const store::AdminRequest& request) {
  std::string db_dir = config.path("auth_db_dir");
  Result<std::optional<store::WriterLock>> lock = store::WriterLock::try_acquire(db_dir);
  if (!lock) return lock.error();
  if (!lock->has_value()) return via_socket(config.path("auth_admin_socket"), request);
  if (Status s = become_directory_owner(config, db_dir); !s) return s.error();
  auto directory = store::open_bdb_user_directory(db_dir, **lock);
  if (!directory) return directory.error();
  return auth::apply_admin_request(**directory, request, std::time(nullptr));
}

}  // namespace gm::gmctl
