// The schema of gm.conf: every key, its type, default and one-line summary.
// gm.conf(5) documents each one; keep the two in step (a test checks).
#include "core/build_info.hpp"
#include "core/config.hpp"

namespace gm::core {
namespace {

using enum KeyType;

constexpr KeySpec kKeys[] = {
    // Identity and places.
    {"myhostname", kString, "", "this host's fully qualified name; empty: the system's"},
    {"mydomain", kString, "localdomain", "the mail domain used in generated addresses"},
    {"run_dir", kPath, "/run/goodmessaging", "sockets and pid files"},
    {"spool_dir", kPath, "/var/spool/goodmessaging", "the mail queue"},
    {"data_dir", kPath, "/var/lib/goodmessaging", "databases and indexes"},
    {"mail_dir", kPath, "$data_dir/mail", "root of the users' Maildir trees"},
    {"daemon_directory", kPath, kInstalledLibexecDir, "where gm-master finds the daemons"},
    {"service_table", kPath, "$config_dir/services.conf", "the service table, services.conf(5)"},

    // Users the processes run as (ignored when gm-master is not root).
    {"unprivileged_user", kString, "gm", "account of the network-facing daemons"},
    {"mail_user", kString, "vmail", "account that owns every mailbox"},
    // authd is the only reader of the directory's secrets, so not unprivileged_user.
    {"auth_user", kString, "gmauth", "account authd runs as; owns auth_db_dir"},

    // Logging.
    {"log_level", kString, "info", "debug, info, notice, warning or error"},
    {"syslog_facility", kString, "mail", "syslog facility; 'none' disables syslog"},
    {"log_stderr", kBool, "no", "also log to standard error"},

    // gm-master.
    {"master_control_socket", kPath, "$run_dir/master.sock", "gmctl status talks here"},
    {"restart_backoff_min", kDuration, "1s", "first delay before restarting a crashed daemon"},
    {"restart_backoff_max", kDuration, "60s", "longest delay between restarts"},
    {"crash_loop_restarts", kInteger, "5", "crashes within crash_loop_window that count as a loop"},
    {"crash_loop_window", kDuration, "60s", "window for crash_loop_restarts"},
    {"stop_grace_period", kDuration, "10s", "time daemons get to exit on SIGTERM before SIGKILL"},

    // TLS.
    {"tls_cert_file", kPath, "$config_dir/tls/cert.pem", "server certificate chain (PEM)"},
    {"tls_key_file", kPath, "$config_dir/tls/key.pem", "server private key (PEM)"},
    {"tls_ciphers", kString, "ECDHE+AESGCM:ECDHE+CHACHA20", "TLS 1.2 cipher list"},
    {"tls_ciphersuites", kString,
     "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256",
     "TLS 1.3 cipher suites"},

    // Connections (each protocol may have tighter limits of its own).
    {"line_length_limit", kSize, "8K", "longest command line a client may send"},
    {"input_rate_limit", kSize, "1M", "bytes per second one connection may send"},
    {"idle_timeout", kDuration, "5m", "close a connection silent this long"},
    {"session_timeout", kDuration, "1h", "close a connection open this long"},
    {"max_connections", kInteger, "2000", "connections one daemon serves at once"},
    {"max_connections_per_address", kInteger, "20", "connections from one client address"},

    // authd and the user directory.
    {"auth_socket", kPath, "$run_dir/authd.sock", "daemons relay SASL exchanges here"},
    {"auth_admin_socket", kPath, "$run_dir/authd-admin.sock", "gmctl manages users here"},
    {"auth_db_dir", kPath, "$data_dir/authdb", "Berkeley DB environment of the user directory"},
    {"auth_mechanisms", kList,
     "SCRAM-SHA-256-PLUS SCRAM-SHA-256 SCRAM-SHA-1-PLUS SCRAM-SHA-1 PLAIN LOGIN",
     "SASL mechanisms offered, strongest first"},
    {"auth_failure_limit", kInteger, "5", "failures per address or account before throttling"},
    {"auth_failure_window", kDuration, "10m", "window in which failures are counted"},
    {"auth_lockout_time", kDuration, "15m", "how long a throttled address or account is refused"},
    {"scram_iterations", kInteger, "10000", "PBKDF2 iterations for new SCRAM secrets"},
    {"default_quota", kSize, "1G", "mailbox quota of new users"},

    // SMTP servers (msa(8), mta(8)); Postfix's names and defaults.
    {"message_size_limit", kSize, "50M", "largest message accepted, in bytes; 0: no limit"},
    {"smtpd_recipient_limit", kInteger, "1000", "recipients accepted in one transaction"},
    {"smtpd_hard_error_limit", kInteger, "20", "errors in one session before 421 and close"},
    {"smtpd_bare_line_ending", kString, "reject",
     "bare CR or LF in DATA: reject (554 5.6.0) or normalize to CRLF"},
    {"smtpd_greet_pause", kDuration, "0s",
     "mta waits this long before its greeting; a client that talks first is refused"},
    {"smtpd_client_connection_rate_limit", kInteger, "0",
     "mta: connections one client address may open per minute; 0: no limit"},
    // --- queue log (branch qlog): group commit in msa and mta ---
    {"queue_log", kBool, "yes",
     "msa and mta commit messages through a group-commit log ($spool_dir/log)"},
    {"queue_log_segment_size", kSize, "64M",
     "size of each of a server's two preallocated queue log segments (at least 4M)"},
    {"queue_log_checkpoint_interval", kDuration, "1s",
     "how often msa and mta sync the spool and checkpoint their queue log"},
    // --- queue log lanes (branch lanes) ---
    {"queue_log_lanes", kInteger, "1",
     "independent queue logs per server (1 to 16), so several commits sync at once"},
    // --- end queue log lanes ---
    // --- end queue log ---
    // sendmail(1), gm-postdrop(8) and the maildrop directory (tools).
    {"setgid_group", kString, "gmdrop",
     "group gm-postdrop runs setgid as; the only group that may write $spool_dir/maildrop"},


    // Queue manager and local delivery (qmgr(8), mda(8)); Postfix's names and defaults.
    {"queue_trigger_socket", kPath, "$run_dir/qmgr.sock",
     "servers and tools wake qmgr here after committing a message"},
    {"lmtp_socket", kPath, "$run_dir/lmtp.sock", "qmgr delivers local mail to mda here (LMTP)"},
    {"queue_run_delay", kDuration, "5m", "how often qmgr scans the queue without a trigger"},
    {"minimal_backoff_time", kDuration, "5m", "first retry delay of a deferred message"},
    {"maximal_backoff_time", kDuration, "4000s", "longest retry delay of a deferred message"},
    {"maximal_queue_lifetime", kDuration, "5d", "undeliverable this long: bounce to the sender"},
    // --- delay warnings (branch delay) ---
    {"delay_warning_time", kDuration, "0",
     "still undelivered this long: one delay notice to the sender (0: never)"},
    {"default_destination_concurrency_limit", kInteger, "20",
     "parallel deliveries qmgr runs to one destination"},
    {"hopcount_limit", kInteger, "50", "more Received: headers than this: bounce as a mail loop"},

    // --- maa and maa-mail (IMAP and POP3; maa(8), maa-mail(8)) ---
    {"maa_mail_socket", kPath, "$run_dir/maa-mail.sock",
     "maa hands logged-in clients to maa-mail here"},
    {"maa_login_timeout", kDuration, "60s", "time a client has from connecting to logging in"},
    {"maa_max_sessions_per_user", kInteger, "20",
     "IMAP and POP3 sessions one user may have at once; 0: no limit"},
    {"imap_max_line_length", kSize, "64K",
     "longest IMAP command after login, literals excluded (1K..1M)"},
    {"imap_max_nesting", kInteger, "100", "parenthesis depth in IMAP commands after login"},
    {"imap_max_search_nesting", kInteger, "1000",
     "nesting of SEARCH, SORT and THREAD keys (at most 1000)"},
    {"imap_idle_timeout", kDuration, "30m",
     "close a logged-in IMAP session silent this long (RFC 9051: at least 30m)"},
    {"pop3_idle_timeout", kDuration, "10m",
     "close a logged-in POP3 session silent this long (RFC 1939: at least 10m)"},
    // --- end maa ---

    // --- maa-mail worker processes (peruser; maa-mail(8)) and open files ---
    {"maa_mail_max_processes", kInteger, "1000",
     "maa-mail worker processes at most; beyond, users share the least-loaded"},
    {"maa_mail_worker_linger", kDuration, "10s",
     "a maa-mail worker with no session left exits after this long"},
    {"max_open_files", kInteger, "0",
     "RLIMIT_NOFILE gm-master sets for itself and every daemon; 0: as inherited"},
    // --- end maa-mail workers ---
};

}  // namespace

std::span<const KeySpec> config_keys() {
  return kKeys;
}

}  // namespace gm::core
