// gm-postdrop: writes one message from sendmail(1) into the maildrop
// directory as a committed queue file, then tells qmgr. Installed
// set-group-ID to setgid_group (gm.conf) in daemon_directory, like Postfix's
// postdrop: the group may create files in $spool_dir/maildrop (mode 1730)
// and nothing else. Runs as the invoking user otherwise; records that
// user's uid in the envelope and in a Received field. Everything it reads
// is untrusted; qmgr checks the file again before it moves it to incoming/.
// Input on standard input: lib/mail/postdrop_stream.hpp.
// Manual: gm-postdrop(8).
#include <pwd.h>
#include <sys/auxv.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "core/build_info.hpp"
#include "core/config.hpp"
#include "core/privileges.hpp"
#include "core/program.hpp"
#include "core/str.hpp"
#include "mail/local_message.hpp"
#include "mail/maildrop.hpp"
#include "mail/postdrop_stream.hpp"
#include "mail/queue_file.hpp"
#include "mail/queue_id.hpp"
#include "mail/queue_trigger.hpp"
#include "sysexits.hpp"

namespace {

using namespace gm;

int fail(int code, std::string_view message) {
  std::fprintf(stderr, "gm-postdrop: %.*s\n", static_cast<int>(message.size()), message.data());
  return code;
}

bool privileged() {
  return ::getegid() != ::getgid() || ::geteuid() != ::getuid();
}

// Which gm.conf: -c FILE, else $GM_CONFIG, else the installed one. A
// set-group-ID helper must not read a configuration the caller chose
// (another spool_dir would let anyone write where the group may), so when
// privileged only the installed file is accepted, as Postfix's postdrop
// accepts -c only from root.
gm::Result<std::string> choose_config(int argc, char** argv) {
  std::string path = core::config_path_from_args(argc, argv);
  if (privileged() && path != gm::kDefaultConfigFile)
    return make_error(
        str_cat("only ", gm::kDefaultConfigFile, " may be used when running set-group-ID"));
  return path;
}

std::string host_name(const core::Config& config) {
  std::string name = config.string("myhostname");
  if (!name.empty()) return name;
  char buf[256] = {};
  ::gethostname(buf, sizeof buf - 1);
  return buf;
}

// The maildrop must exist; its owner (a test instance, or root at
// installation) may create it, anybody else waits for the administrator.
Status ensure_maildrop(const core::Config& config) {
  std::string spool = config.path("spool_dir");
  struct stat st;
  if (::stat(gm::mail::maildrop_directory(spool).c_str(), &st) == 0) return {};
  if (privileged()) return make_error(str_cat(gm::mail::maildrop_directory(spool), " is missing"));
  gid_t group = static_cast<gid_t>(-1);
  if (::geteuid() == 0)
    if (auto account = core::lookup_account(config.string("setgid_group"))) group = account->gid;
  return gm::mail::make_maildrop_directory(spool, group);
}

bool non_ascii(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

gm::mail::Envelope make_envelope(const gm::mail::PostdropEnvelope& input) {
  gm::mail::Envelope envelope;
  envelope.arrival_micros =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count());
  envelope.sender = input.sender;
  envelope.smtputf8 = non_ascii(input.sender);
  for (const std::string& address : input.recipients) {
    gm::mail::QueueRecipient recipient;
    recipient.address = address;
    envelope.recipients.push_back(std::move(recipient));
    envelope.smtputf8 = envelope.smtputf8 || non_ascii(address);
  }
  // The submitter, as Postfix's pickup records it: no network client.
  envelope.client = {"local", str_cat("uid=", static_cast<int64_t>(::getuid())), "", "local"};
  return envelope;
}

// Creates the file under a new queue ID (a taken name means a clash: retry).
gm::Result<gm::mail::QueueFileWriter> create_file(const std::string& dir,
                                                  gm::mail::Envelope& envelope) {
  gm::Error last;
  for (int attempt = 0; attempt < 3; ++attempt) {
    envelope.queue_id = gm::mail::new_queue_id();
    auto writer = gm::mail::QueueFileWriter::create(dir, envelope);
    if (writer) {
      // Readable by qmgr, which may run as another account (Postfix: 0444).
      // The temporary name is QueueFileWriter's documented one; the mode is
      // on disk with the file's fsync at commit.
      if (::chmod(str_cat(dir, "/.tmp.", envelope.queue_id).c_str(), gm::mail::kMaildropFileMode) !=
          0)
        return make_error(str_cat("chmod: ", std::strerror(errno)));
      return writer;
    }
    last = writer.error();
  }
  return last;
}

// A group member may not read the 1730 directory, so it cannot fsync it;
// syncfs() makes the new name durable instead (whole file system, slower).
Status make_name_durable(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd || ::syncfs(fd.get()) != 0) return make_error(str_cat("syncfs: ", std::strerror(errno)));
  return {};
}

std::string received_field(const core::Config& config, const std::string& queue_id) {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return str_cat(
      "Received: by ", host_name(config), " (GoodMessaging sendmail, from userid ",
      static_cast<int64_t>(::getuid()), ")\r\n\tid ", queue_id, "; ",
      gm::mail::rfc5322_date(std::chrono::duration_cast<std::chrono::seconds>(now).count()),
      "\r\n");
}

int run(const core::Config& config, bool verbose) {
  uint64_t limit = config.size("message_size_limit");
  gm::mail::PostdropReader reader([](char* buffer, size_t size) -> gm::Result<size_t> {
    for (;;) {
      ssize_t n = ::read(STDIN_FILENO, buffer, size);
      if (n >= 0) return static_cast<size_t>(n);
      if (errno != EINTR) return make_error(str_cat("read: ", std::strerror(errno)), 74);
    }
  });
  auto input = reader.read_envelope();
  if (!input)
    return fail(input.error().code ? input.error().code : tools::kExDataErr, input.error().message);
  if (auto status = ensure_maildrop(config); !status)
    return fail(tools::kExTempFail, status.error().message);
  std::string dir = gm::mail::maildrop_directory(config.path("spool_dir"));
  gm::mail::Envelope envelope = make_envelope(*input);
  auto writer = create_file(dir, envelope);
  if (!writer) return fail(tools::kExTempFail, writer.error().message);
  if (auto status = writer->append(received_field(config, envelope.queue_id)); !status)
    return fail(tools::kExTempFail, status.error().message);
  auto copied = reader.read_content([&](std::string_view chunk) -> Status {
    if (limit != 0 && writer->content_size() + chunk.size() > limit)
      return make_error(str_cat("message too large (message_size_limit is ", limit, " bytes)"),
                        tools::kExDataErr);
    auto status = writer->append(chunk);
    if (!status) return make_error(status.error().message, tools::kExTempFail);
    return {};
  });
  if (!copied)
    return fail(copied.error().code ? copied.error().code : tools::kExNoInput,
                copied.error().message);
  std::string final_path = str_cat(dir, '/', envelope.queue_id);
  if (auto committed = writer->commit(); !committed) {
    struct stat st;
    bool renamed = ::lstat(final_path.c_str(), &st) == 0;
    if (!renamed || !make_name_durable(final_path))
      return fail(tools::kExTempFail, committed.error().message);
  }
  if (verbose) std::printf("%s\n", envelope.queue_id.c_str());
  mail::trigger_queue_manager(config, mail::kTriggerNew).ok();  // best effort: qmgr also scans every queue_run_delay
  return tools::kExOk;
}

}  // namespace

#if defined(__SANITIZE_ADDRESS__)
#define GM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GM_ASAN 1
#endif
#endif
#ifdef GM_ASAN
// Sanitizer builds (tests) only. Set-group-ID, this process is not
// dumpable: LeakSanitizer cannot ptrace it at exit and fails the run, and
// it cannot read /proc/self/environ for ASAN_OPTIONS either. So leaks are
// checked only when it runs without privileges (every other test).
extern "C" const char* __asan_default_options() {
  return ::getauxval(AT_SECURE) ? "detect_leaks=0" : "";
}
#endif

int main(int argc, char** argv) {
  gm::core::ProgramInfo info{"gm-postdrop", "put a message from sendmail into the maildrop", ""};
  if (auto code = gm::core::handle_standard_options(argc, argv, info)) return *code;
  ::signal(SIGPIPE, SIG_IGN);
  ::umask(077);
  auto path = choose_config(argc, argv);
  if (!path) return fail(gm::tools::kExUsage, path.error().message);
  auto config = gm::core::Config::load(*path);
  if (!config) return fail(gm::tools::kExConfig, config.error().message);
  return run(*config, gm::core::has_flag(argc, argv, "-v"));
}
