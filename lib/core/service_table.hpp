// The service table (services.conf(5)): which daemons gm-master runs, as
// which user, how many processes, and the sockets it binds for them. One
// service per line, in the spirit of Postfix's master.cf:
//
//   # service  program  user  limit  listeners
//   authd      authd    -     1      auth=unix:$auth_socket:0666
//   msa        msa      -     1      submission=inet:127.0.0.1:587
//                                    submissions=inet:[::1]:465
//
// '#' starts a comment line; a line starting with whitespace continues the
// previous one; $name expands a gm.conf key. Errors name file:line and the
// reason. gm-master and `gmctl config check` both use this parser.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "core/result.hpp"

namespace gm::core {

inline constexpr size_t kMaxServiceTableSize = 256 * 1024;
inline constexpr size_t kMaxServiceLineLength = 4096;  // one physical or logical line
inline constexpr size_t kMaxServices = 64;
inline constexpr size_t kMaxListenersPerService = 16;
inline constexpr int kMaxProcessLimit = 32;
inline constexpr size_t kMaxServiceNameLength = 32;  // service, listener and user names
inline constexpr size_t kMaxProgramNameLength = 64;
inline constexpr size_t kMaxUnixSocketPath = 107;  // sizeof(sockaddr_un::sun_path) - 1

enum class ListenerKind { kInet, kUnix };

struct ListenerSpec {
  std::string name;  // passed to the daemon in LISTEN_FDNAMES
  ListenerKind kind = ListenerKind::kInet;
  std::string host;  // inet: an IPv4 or IPv6 literal, without brackets
  uint16_t port = 0;
  std::string path;  // unix: absolute path
  mode_t mode = 0600;

  // The socket's address alone: "inet:[::1]:587", "unix:/run/x.sock". Two
  // listeners with the same address are the same socket.
  std::string address() const;
  // "name=inet:127.0.0.1:587" or "name=unix:/run/x.sock:0600", as written
  // back in status output (after $name expansion).
  std::string describe() const;
  bool operator==(const ListenerSpec&) const = default;
};

struct ServiceSpec {
  std::string name;
  std::string program;  // a file name in daemon_directory
  std::string user;     // "-" already replaced by unprivileged_user
  int limit = 1;        // processes gm-master keeps running
  std::vector<ListenerSpec> listeners;
  int line = 0;  // where it was defined, for messages

  // Same definition; the line it sits on does not matter.
  bool same_definition(const ServiceSpec& other) const;
};

struct ServiceTable {
  std::string file;
  std::vector<ServiceSpec> services;

  const ServiceSpec* find(std::string_view name) const;
};

// origin names the text in errors ("services.conf"); config expands $name
// and supplies unprivileged_user for "-".
Result<ServiceTable> parse_service_table(std::string_view text, std::string_view origin,
                                         const Config& config);
// Reads the file named by config's service_table key.
Result<ServiceTable> load_service_table(const Config& config);

// One listener spec as written after "name=": "inet:HOST:PORT",
// "inet:[V6]:PORT" or "unix:PATH[:MODE]" (text already $-expanded).
Result<ListenerSpec> parse_listener(std::string_view name, std::string_view spec);

}  // namespace gm::core
