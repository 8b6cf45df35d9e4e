#include "instance_layout.hpp"

#include <filesystem>

#include "command.hpp"
#include "core/durable_file.hpp"
#include "core/str.hpp"

namespace gm::gmctl {

std::span<const ServiceSpec> standard_services() {
  static const std::vector<ServiceSpec> kServices = {
      {"authd",
       "authd",
       {{"auth", 0, "auth_socket", "0666"}, {"admin", 0, "auth_admin_socket", "0600"}}},
      {"mta", "mta", {{"smtp", 25, "", ""}}},
      {"qmgr", "qmgr", {{"trigger", 0, "queue_trigger_socket", "0666"}}},
      {"mda", "mda", {{"lmtp", 0, "lmtp_socket", "0660"}}},
      {"msa", "msa", {{"submission", 587, "", ""}, {"submissions", 465, "", ""}}},
      // maa-mail first: maa hands logged-in clients to its socket. The mode
      // lets maa connect; maa-mail itself admits only unprivileged_user.
      {"maa-mail", "maa-mail", {{"mail", 0, "maa_mail_socket", "0666"}}},
      {"maa",
       "maa",
       {{"imap", 143, "", ""},
        {"imaps", 993, "", ""},
        {"pop3", 110, "", ""},
        {"pop3s", 995, "", ""}}},
      {"nntpd", "nntpd", {{"nntp", 119, "", ""}, {"nntps", 563, "", ""}}},
      {"acapd", "acapd", {{"acap", 674, "", ""}}},
      {"xmppd", "xmppd", {{"xmpp-client", 5222, "", ""}, {"xmpp-server", 5269, "", ""}}},
      {"webmail", "webmail", {{"https", 443, "", ""}}},
  };
  return kServices;
}

bool service_installed(const InstanceLayout& layout, const ServiceSpec& service) {
  return std::filesystem::exists(layout.daemon_directory + "/" + std::string(service.program));
}

std::string instance_gm_conf(const InstanceLayout& layout) {
  return str_cat("# GoodMessaging instance for ", layout.domain, ", made by gmctl instance init.\n",
                 "# Every key is described in gm.conf(5); gmctl config show lists them all.\n",
                 "myhostname = mail.", layout.domain, "\n", "mydomain = ", layout.domain, "\n",
                 "run_dir = ", layout.dir, "/run\n", "spool_dir = ", layout.dir, "/spool\n",
                 "data_dir = ", layout.dir, "/data\n", "mail_dir = ", layout.dir, "/mail\n",
                 "daemon_directory = ", layout.daemon_directory, "\n",
                 "service_table = $config_dir/services.conf\n",
                 "tls_cert_file = $config_dir/tls/cert.pem\n",
                 "tls_key_file = $config_dir/tls/key.pem\n",
                 "# Logs go to standard error (gm-master's terminal or log file), not syslog.\n",
                 "syslog_facility = none\n", "log_stderr = yes\n",
                 "# Every process runs as the account that made the instance.\n",
                 "unprivileged_user = ", layout.user, "\n", "mail_user = ", layout.user, "\n",
                 "auth_user = ", layout.user, "\n");
}

std::string instance_services_conf(const InstanceLayout& layout) {
  std::string out =
      "# Service table of this instance; see services.conf(5).\n"
      "# Services whose program is not installed yet are commented out.\n"
      "# service  program  user  limit  listeners\n";
  for (const ServiceSpec& service : standard_services()) {
    std::string_view user = service.name == "authd"                               ? "$auth_user"
                            : service.name == "mda" || service.name == "maa-mail" ? "$mail_user"
                                                                                  : "-";
    std::string line = str_cat(service.name, "\t", service.program, "\t", user, "\t1");
    for (const ListenerSpec& listener : service.listeners) {
      if (listener.port == 0)
        line += str_cat(" ", listener.name, "=unix:$", listener.unix_socket, ":", listener.mode);
      else
        line += str_cat(" ", listener.name, "=inet:127.0.0.1:", layout.port_base + listener.port);
    }
    out += (service_installed(layout, service) ? "" : "#") + line + "\n";
  }
  return out;
}

Status create_instance(const InstanceLayout& layout) {
  for (const char* sub : {"/etc/tls", "/run", "/spool", "/data", "/mail"})
    if (auto status = core::make_directories(layout.dir + sub, 0750); !status) return status;
  std::string etc = layout.dir + "/etc";
  if (auto s = core::write_file_durably(etc + "/gm.conf", instance_gm_conf(layout), 0644); !s)
    return s;
  if (auto s =
          core::write_file_durably(etc + "/services.conf", instance_services_conf(layout), 0644);
      !s)
    return s;
  if (auto s = write_self_signed_cert(layout.domain, etc + "/tls", 825); !s) return s;
  return create_directory_with_domain(etc + "/gm.conf", layout.domain);
}

}  // namespace gm::gmctl
