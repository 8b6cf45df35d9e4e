// gmctl user|domain|alias: manage the user directory (gmctl(1)). Each
// command becomes one admin-protocol request (store/admin_protocol.hpp),
// carried out by authd or, while authd is down, directly
// (directory_access.hpp). Passwords never leave gmctl: it computes the
// SCRAM secrets itself and sends only those.
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "auth/saslprep.hpp"
#include "auth/scram_secret.hpp"
#include "command.hpp"
#include "core/config_value.hpp"
#include "core/json_writer.hpp"
#include "core/secret.hpp"
#include "core/str.hpp"
#include "directory_access.hpp"

namespace gm::gmctl {
namespace {

using store::AdminCommand;
using store::AdminReply;
using store::AdminRequest;

constexpr size_t kMaxPasswordLength = 1024;

// Reads one line from fd without echo when it is a terminal.
Result<Secret> read_password_line(FILE* in, bool hide) {
  termios saved{};
  bool restore = hide && ::tcgetattr(fileno(in), &saved) == 0;
  if (restore) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(fileno(in), TCSAFLUSH, &quiet);
  }
  std::string line;
  int c;
  while ((c = std::fgetc(in)) != EOF && c != '\n' && line.size() <= kMaxPasswordLength)
    line.push_back(static_cast<char>(c));
  if (restore) {
    ::tcsetattr(fileno(in), TCSAFLUSH, &saved);
    std::fputc('\n', stderr);
  }
  Secret password(std::move(line));
  if (password.expose().size() > kMaxPasswordLength) return make_error("password too long");
  std::string_view text = password.expose();
  if (!text.empty() && text.back() == '\r')
    password = Secret(std::string(text.substr(0, text.size() - 1)));
  if (password.empty()) return make_error("empty password");
  return password;
}

// --password-stdin: one line; otherwise asked twice on the terminal.
Result<Secret> obtain_password(const Context& context) {
  if (context.password_stdin) return read_password_line(stdin, false);
  FILE* tty = std::fopen("/dev/tty", "r+");
  if (tty == nullptr) return make_error("no terminal to ask for a password; use --password-stdin");
  std::fputs("New password: ", stderr);
  Result<Secret> first = read_password_line(tty, true);
  if (!first) {
    std::fclose(tty);
    return first;
  }
  std::fputs("Repeat password: ", stderr);
  Result<Secret> second = read_password_line(tty, true);
  std::fclose(tty);
  if (!second) return second;
  if (first->expose() != second->expose()) return make_error("the passwords differ");
  return first;
}

struct SecretPair {
  std::string sha1;
  std::string sha256;
};

Result<SecretPair> make_secrets(const Context& context, const core::Config& config) {
  Result<Secret> password = obtain_password(context);
  if (!password) return password.error();
  // RFC 5802 5.1: SCRAM hashes the SASLprep'ed password (stored-string rules).
  Result<Secret> prepared = auth::saslprep_password(*password, auth::SaslprepKind::kStored);
  if (!prepared) return make_error(str_cat("unusable password: ", prepared.error().message));
  int64_t iterations = config.integer("scram_iterations");
  auto count = static_cast<uint32_t>(std::clamp<int64_t>(iterations, 1, auth::kScramMaxIterations));
  return SecretPair{
      auth::encode_scram_secret(auth::make_scram_secret(auth::ScramHash::kSha1, *prepared, count)),
      auth::encode_scram_secret(
          auth::make_scram_secret(auth::ScramHash::kSha256, *prepared, count))};
}

// Removes "--name VALUE" from args; nullopt when absent, error when VALUE is.
Result<std::optional<std::string>> take_option(std::vector<std::string>& args,
                                               std::string_view name) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] != name) continue;
    if (i + 1 >= args.size()) return make_error(str_cat(name, " needs a value"));
    std::string value = args[i + 1];
    args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i) + 2);
    return std::optional<std::string>(std::move(value));
  }
  return std::optional<std::string>();
}

void print_tsv(const AdminReply& reply) {
  for (const auto& row : reply.rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) line += (i ? "\t" : "") + row[i];
    std::printf("%s\n", line.c_str());
  }
}

// A column that holds a number is written as a JSON number.
void json_cell(core::JsonWriter& json, std::string_view column, const std::string& cell) {
  if (column == "quota" || column == "created") {
    if (auto n = parse_number<int64_t>(cell)) {
      json.value(*n);
      return;
    }
  }
  if (column == "targets") {
    json.begin_array();
    for (const std::string& target : split(cell, ",")) json.value(target);
    json.end_array();
    return;
  }
  json.value(cell);
}

void print_json(AdminCommand command, const AdminReply& reply) {
  const store::AdminCommandSpec& spec = store::admin_command_spec(command);
  core::JsonWriter json;
  if (command == AdminCommand::kUserShow) {  // field/value rows make one object
    json.begin_object();
    for (const auto& row : reply.rows)
      if (row.size() == 2) json_cell(json.key(row[0]), row[0], row[1]);
    json.end_object();
  } else {
    json.begin_array();
    for (const auto& row : reply.rows) {
      json.begin_object();
      for (size_t i = 0; i < row.size() && i < spec.columns.size(); ++i)
        json_cell(json.key(spec.columns[i]), spec.columns[i], row[i]);
      json.end_object();
    }
    json.end_array();
  }
  std::printf("%s\n", json.text().c_str());
}

int execute(const Context& context, const core::Config& config, AdminRequest request) {
  Result<AdminReply> reply = run_admin_request(config, request);
  if (!reply) return failure(reply.error().message);
  if (!reply->ok) return failure(reply->error);
  if (store::admin_command_spec(request.command).has_data) {
    if (context.json)
      print_json(request.command, *reply);
    else
      print_tsv(*reply);
  }
  return kExitOk;
}

struct Verb {
  std::string_view name;
  AdminCommand command;
  size_t min_args;
  size_t max_args;
  std::string_view usage;
};

// The verbs that map one to one onto a request, arguments unchanged.
constexpr Verb kSimpleVerbs[] = {
    {"user suspend", AdminCommand::kUserSuspend, 1, 1, "user suspend ADDRESS"},
    {"user unsuspend", AdminCommand::kUserUnsuspend, 1, 1, "user unsuspend ADDRESS"},
    {"user delete", AdminCommand::kUserDelete, 1, 1, "user delete ADDRESS"},
    {"user list", AdminCommand::kUserList, 0, 1, "user list [DOMAIN]"},
    {"user show", AdminCommand::kUserShow, 1, 1, "user show ADDRESS"},
    {"domain add", AdminCommand::kDomainAdd, 1, 1, "domain add DOMAIN"},
    {"domain delete", AdminCommand::kDomainDelete, 1, 1, "domain delete DOMAIN"},
    {"domain list", AdminCommand::kDomainList, 0, 0, "domain list"},
    {"alias add", AdminCommand::kAliasAdd, 2, 1000, "alias add ADDRESS TARGET..."},
    {"alias delete", AdminCommand::kAliasDelete, 1, 1000, "alias delete ADDRESS [TARGET...]"},
    {"alias list", AdminCommand::kAliasList, 0, 1, "alias list [DOMAIN|ADDRESS]"},
};

int run_simple(Context& context, std::string_view group) {
  if (context.args.empty()) return usage_error(str_cat(group, ": missing subcommand"));
  std::string name = str_cat(group, " ", context.args.front());
  for (const Verb& verb : kSimpleVerbs) {
    if (verb.name != name) continue;
    std::vector<std::string> args(context.args.begin() + 1, context.args.end());
    if (args.size() < verb.min_args || args.size() > verb.max_args)
      return usage_error(str_cat("usage: gmctl ", verb.usage));
    Result<core::Config> config = context.load_config();
    if (!config) return failure(config.error().message);
    return execute(context, *config, AdminRequest{verb.command, std::move(args)});
  }
  return usage_error(str_cat("unknown command '", name, "'"));
}

// user add ADDRESS [--quota SIZE] [--mailbox PATH]
int user_add(Context& context, std::vector<std::string> args) {
  auto quota_text = take_option(args, "--quota");
  auto mailbox = take_option(args, "--mailbox");
  if (!quota_text) return usage_error(quota_text.error().message);
  if (!mailbox) return usage_error(mailbox.error().message);
  if (args.size() != 1)
    return usage_error("usage: gmctl user add ADDRESS [--quota SIZE] [--mailbox PATH]");
  Result<core::Config> config = context.load_config();
  if (!config) return failure(config.error().message);
  uint64_t quota = config->size("default_quota");
  if (quota_text->has_value()) {
    Result<uint64_t> parsed = core::parse_size(**quota_text);
    if (!parsed) return usage_error(str_cat("--quota: ", parsed.error().message));
    quota = *parsed;
  }
  Result<SecretPair> secrets = make_secrets(context, *config);
  if (!secrets) return failure(secrets.error().message);
  AdminRequest request{AdminCommand::kUserAdd,
                       {args[0], secrets->sha1, secrets->sha256, str_cat(quota)}};
  if (mailbox->has_value()) request.args.push_back(**mailbox);
  return execute(context, *config, std::move(request));
}

int user_passwd(Context& context, const std::vector<std::string>& args) {
  if (args.size() != 1) return usage_error("usage: gmctl user passwd ADDRESS");
  Result<core::Config> config = context.load_config();
  if (!config) return failure(config.error().message);
  Result<SecretPair> secrets = make_secrets(context, *config);
  if (!secrets) return failure(secrets.error().message);
  return execute(
      context, *config,
      AdminRequest{AdminCommand::kUserPasswd, {args[0], secrets->sha1, secrets->sha256}});
}

}  // namespace

int run_user(Context& context) {
  if (!context.args.empty() && context.args.front() == "add")
    return user_add(context, {context.args.begin() + 1, context.args.end()});
  if (!context.args.empty() && context.args.front() == "passwd")
    return user_passwd(context, {context.args.begin() + 1, context.args.end()});
  return run_simple(context, "user");
}

int run_domain(Context& context) {
  return run_simple(context, "domain");
}

int run_alias(Context& context) {
  return run_simple(context, "alias");
}

}  // namespace gm::gmctl
