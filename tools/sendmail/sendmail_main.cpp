// sendmail: the Sendmail-compatible command scripts and cron use to send
// mail, and mailq (the same program under that name, = sendmail -bp).
// Runs as the invoking user with no privilege; never opens a network
// connection: it hands each message to gm-postdrop(8) (set-group-ID),
// which writes it into the maildrop for qmgr. Reads gm.conf (-C FILE or
// DIR, else $GM_CONFIG, else the installed one).
// Manual: sendmail(1), mailq(1).
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "core/build_info.hpp"
#include "core/config.hpp"
#include "core/program.hpp"
#include "core/str.hpp"
#include "local_smtp.hpp"
#include "mail/local_message.hpp"
#include "mail/queue_trigger.hpp"
#include "mailq.hpp"
#include "submission.hpp"
#include "sysexits.hpp"

namespace {

using namespace gm;

enum class Mode { kDeliver, kSmtp, kListQueue, kFlushQueue };

struct Options {
  Mode mode = Mode::kDeliver;
  bool extract = false;      // -t
  bool ignore_dots = false;  // -i, -oi
  bool verbose = false;      // -v
  std::optional<std::string> sender;
  std::string full_name;
  std::string config;  // -C
  std::vector<std::string> recipients;
};

int usage(std::string_view message) {
  std::fprintf(stderr, "sendmail: %.*s\n", static_cast<int>(message.size()), message.data());
  return tools::kExUsage;
}

// Option letters that take a value (attached, or the next word), as in
// Postfix's sendmail; those not handled below are accepted and ignored.
constexpr std::string_view kValueOptions = "BCFLNORVXbefhopr";
constexpr std::string_view kIgnoredFlags = "GIUcmnx";

// One option letter with its value; returns an exit code to stop with.
std::optional<int> apply(char letter, const std::string& value, Options& options) {
  switch (letter) {
    case 't':
      options.extract = true;
      break;
    case 'i':
      options.ignore_dots = true;
      break;
    case 'v':
      options.verbose = true;
      break;
    case 'q':
      options.mode = Mode::kFlushQueue;
      break;
    case 'f':
    case 'r':
      options.sender = value;
      break;
    case 'F':
      options.full_name = value;
      break;
    case 'C':
      options.config = value;
      break;
    case 'o':  // -oi; every other -o option is ignored, as Postfix does
      if (value == "i") options.ignore_dots = true;
      break;
    case 'b':
      if (value == "m")
        options.mode = Mode::kDeliver;
      else if (value == "s")
        options.mode = Mode::kSmtp;
      else if (value == "p")
        options.mode = Mode::kListQueue;
      else
        return usage(str_cat("-b", value, " is not supported"));
      break;
    default:
      break;  // B L N O R V X e h p: accepted, ignored
  }
  return std::nullopt;
}

// Returns an exit code when parsing must stop.
std::optional<int> parse(int argc, char** argv, Options& options) {
  int i = 1;
  for (; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') break;
    for (size_t k = 1; k < arg.size(); ++k) {
      char letter = arg[k];
      std::string value;
      if (kValueOptions.find(letter) != std::string_view::npos) {
        if (k + 1 < arg.size())
          value = std::string(arg.substr(k + 1));
        else if (i + 1 < argc)
          value = argv[++i];
        else
          return usage(str_cat("option -", letter, " needs a value"));
        k = arg.size();
      } else if (letter == 'q') {
        k = arg.size();  // -q, -q1h, -qR...: run the queue now
      } else if (kIgnoredFlags.find(letter) == std::string_view::npos &&
                 std::string_view("tivq").find(letter) == std::string_view::npos) {
        return usage(str_cat("unknown option -", letter));
      }
      if (auto code = apply(letter, value, options)) return code;
    }
  }
  for (; i < argc; ++i)
    for (const std::string& address : split(argv[i], ",")) options.recipients.push_back(address);
  return std::nullopt;
}

// -C FILE or -C DIR (Postfix's -C names a directory), else $GM_CONFIG, else
// the installed gm.conf.
std::string config_path(const Options& options) {
  if (!options.config.empty()) {
    struct stat st;
    if (::stat(options.config.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
      return options.config + "/gm.conf";
    return options.config;
  }
  if (const char* env = std::getenv("GM_CONFIG"); env != nullptr && *env != '\0') return env;
  return gm::kDefaultConfigFile;
}

std::string login_name() {
  if (const passwd* pw = ::getpwuid(::getuid())) return pw->pw_name;
  return str_cat("uid", static_cast<int64_t>(::getuid()));
}

// "<addr>", "addr" or a bare name; "" and "<>" are the null sender.
std::string envelope_sender(const Options& options, std::string_view domain) {
  if (!options.sender) return str_cat(login_name(), '@', domain);
  std::string_view sender = trim(*options.sender);
  if (sender.size() >= 2 && sender.front() == '<' && sender.back() == '>')
    sender = sender.substr(1, sender.size() - 2);
  return sender.empty() ? std::string() : mail::qualify_address(sender, domain);
}

int deliver(const Options& options, const core::Config& config, const std::string& path) {
  tools::SubmitParams params{path,
                             envelope_sender(options, config.string("mydomain")),
                             options.full_name,
                             options.extract,
                             {},
                             options.verbose};
  for (const std::string& address : options.recipients)
    params.recipients.push_back(mail::qualify_address(trim(address), config.string("mydomain")));
  if (params.recipients.empty() && !options.extract) return usage("no recipients given");
  tools::Submission submission(config, std::move(params));
  mail::InputLines lines(options.ignore_dots, mail::kMaxBodyLine);
  auto sink = [&](std::string_view line, bool broken) { return submission.add_line(line, broken); };
  char buf[64 << 10];
  Status status;
  while (status && !lines.ended()) {
    ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      status = make_error(str_cat("reading the message: ", std::strerror(errno)), 74);
    else if (n == 0)
      status = lines.finish(sink);
    else
      status = lines.feed(std::string_view(buf, static_cast<size_t>(n)), sink);
  }
  if (status) status = submission.finish();
  if (!status) {
    if (status.error().message != "gm-postdrop failed")  // it said why itself
      std::fprintf(stderr, "sendmail: %s\n", status.error().message.c_str());
    return status.error().code ? status.error().code : tools::kExSoftware;
  }
  return tools::kExOk;
}

bool called_as_mailq(const char* argv0) {
  std::string_view name = argv0;
  size_t slash = name.rfind('/');
  return (slash == std::string_view::npos ? name : name.substr(slash + 1)) == "mailq";
}

// --help / --version before "--"; -h is sendmail's hop count, not help.
std::optional<int> standard_options(int argc, char** argv, bool mailq) {
  for (int i = 1; i < argc && std::string_view(argv[i]) != "--"; ++i) {
    std::string_view arg = argv[i];
    if (arg != "--help" && arg != "--version") continue;
    char* only[] = {argv[0], argv[i], nullptr};
    core::ProgramInfo info{
        mailq ? "mailq" : "sendmail",
        mailq ? "list the mail queue" : "send mail from scripts and cron (Sendmail compatible)",
        "  -C FILE|DIR         gm.conf, or the directory holding it\n"
        "  -t -f ADDR -F NAME -i -oi -bs -bp -q -v   see sendmail(1)\n"};
    return core::handle_standard_options(2, only, info);
  }
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  bool mailq = called_as_mailq(argv[0]);
  if (auto code = standard_options(argc, argv, mailq)) return *code;
  ::signal(SIGPIPE, SIG_IGN);
  Options options;
  if (auto code = parse(argc, argv, options)) return *code;
  if (mailq) options.mode = Mode::kListQueue;
  std::string path = config_path(options);
  auto config = core::Config::load(path);
  if (!config) {
    std::fprintf(stderr, "sendmail: %s\n", config.error().message.c_str());
    return tools::kExConfig;
  }
  switch (options.mode) {
    case Mode::kListQueue:
      return tools::print_mail_queue(*config);
    case Mode::kFlushQueue:
      if (auto status = mail::trigger_queue_manager(*config, mail::kTriggerFlush); !status) {
        std::fprintf(stderr, "sendmail: %s\n", status.error().message.c_str());
        return tools::kExUnavailable;
      }
      return tools::kExOk;
    case Mode::kSmtp:
      return tools::run_local_smtp(*config, path, options.verbose);
    case Mode::kDeliver:
      break;
  }
  return deliver(options, *config, path);
}
