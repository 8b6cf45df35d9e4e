// What an instance directory holds, and the standard services with their
// ports: an instance with port base N serves each listener on 127.0.0.1 at
// N + the standard port (N = 20000: SMTP 20025, IMAP 20143, ...).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace gm::gmctl {

struct ListenerSpec {
  std::string_view name;  // LISTEN_FDNAMES name the daemon sees
  int port;               // standard port; 0 for a Unix socket
  std::string_view unix_socket;  // gm.conf key naming the socket path, when port is 0
  std::string_view mode;         // socket file mode, when port is 0
};

struct ServiceSpec {
  std::string_view name;
  std::string_view program;
  std::vector<ListenerSpec> listeners;
};

// Every service of the suite, in start order.
std::span<const ServiceSpec> standard_services();

struct InstanceLayout {
  std::string dir;  // absolute
  std::string domain;
  int port_base = 0;
  std::string daemon_directory;
  std::string user;  // account every process of the instance runs as
};

bool service_installed(const InstanceLayout& layout, const ServiceSpec& service);
std::string instance_gm_conf(const InstanceLayout& layout);
std::string instance_services_conf(const InstanceLayout& layout);
// Writes the configuration, the certificate and the directories, and
// creates the user directory with the domain in it.
Status create_instance(const InstanceLayout& layout);

}  // namespace gm::gmctl
