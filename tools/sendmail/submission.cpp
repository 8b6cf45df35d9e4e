#include "submission.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "core/build_info.hpp"
#include "core/str.hpp"
#include "mail/postdrop_stream.hpp"
#include "mail/queue_id.hpp"
#include "sysexits.hpp"

namespace gm::tools {
namespace {

constexpr size_t kChunk = 64 << 10;  // content bytes per chunk to gm-postdrop

std::string host_name(const core::Config& config) {
  std::string name = config.string("myhostname");
  if (!name.empty()) return name;
  char buf[256] = {};
  ::gethostname(buf, sizeof buf - 1);
  return buf;
}

Status write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      return make_error(str_cat("writing to gm-postdrop: ", std::strerror(errno)), kExIoErr);
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

}  // namespace

Submission::Submission(const core::Config& config, SubmitParams params)
    : config_(config), params_(std::move(params)) {}

Submission::~Submission() {
  if (child_ > 0) {  // abandoned: an unfinished stream makes gm-postdrop drop it
    pipe_.reset();
    wait_child();
  }
}

Status Submission::add_line(std::string_view line, bool broken) {
  if (in_body_) return write(str_cat(line, "\r\n"));
  auto kind = header_.add_line(line, broken);
  if (!kind) return make_error(kind.error().message, kExDataErr);
  if (*kind == mail::HeaderSection::LineKind::kHeader) return {};
  if (auto status = start(); !status) return status;
  in_body_ = true;
  // The blank line between header and body; a body line that came without
  // one (no header at all, or a non-header line) follows it.
  if (*kind == mail::HeaderSection::LineKind::kBodyStart) return write(str_cat(line, "\r\n"));
  return {};
}

Status Submission::start() {
  mail::LocalSubmission options{params_.extract_recipients, params_.sender, params_.full_name,
                                config_.string("mydomain")};
  auto now = std::chrono::system_clock::now().time_since_epoch();
  std::string message_id = str_cat(mail::new_queue_id(), '@', host_name(config_));
  auto prepared = mail::prepare_header(
      header_, options,
      mail::rfc5322_date(std::chrono::duration_cast<std::chrono::seconds>(now).count()),
      message_id);
  if (!prepared) return make_error(prepared.error().message, kExDataErr);
  mail::PostdropEnvelope envelope{params_.sender, params_.recipients};
  for (std::string& address : prepared->recipients)
    if (std::find(envelope.recipients.begin(), envelope.recipients.end(), address) ==
        envelope.recipients.end())
      envelope.recipients.push_back(std::move(address));
  if (envelope.recipients.empty())
    return make_error(params_.extract_recipients ? "no recipient addresses found in message header"
                                                 : "no recipients given",
                      kExUsage);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return make_error("pipe failed", kExOsErr);
  UniqueFd read_end(fds[0]);
  pipe_.reset(fds[1]);
  std::string program = str_cat(config_.path("daemon_directory"), "/gm-postdrop");
  std::vector<std::string> args = {program};
  if (params_.config_path != gm::kDefaultConfigFile)
    args.insert(args.end(), {"-c", params_.config_path});
  if (params_.verbose) args.push_back("-v");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  child_ = ::fork();
  if (child_ < 0) return make_error("fork failed", kExOsErr);
  if (child_ == 0) {
    ::dup2(read_end.get(), STDIN_FILENO);
    ::execv(program.c_str(), argv.data());
    std::fprintf(stderr, "sendmail: cannot run %s: %s\n", program.c_str(), std::strerror(errno));
    ::_exit(kExUnavailable);
  }
  read_end.reset();
  if (auto status = write_all(pipe_.get(), mail::encode_postdrop_envelope(envelope)); !status)
    return child_failure(status);
  return write(prepared->text + "\r\n");
}

Status Submission::write(std::string_view bytes, bool force) {
  out_.append(bytes);
  while (out_.size() >= kChunk || (force && !out_.empty())) {
    size_t n = std::min(out_.size(), kChunk);
    Status status = write_all(pipe_.get(), mail::encode_postdrop_chunk_header(n));
    if (status) status = write_all(pipe_.get(), std::string_view(out_).substr(0, n));
    if (!status) return child_failure(status);
    out_.erase(0, n);
  }
  return {};
}

Status Submission::finish() {
  if (!in_body_) {
    if (auto status = start(); !status) return status;
    in_body_ = true;
  }
  if (auto status = write("", true); !status) return status;
  if (auto status = write_all(pipe_.get(), mail::encode_postdrop_chunk_header(0)); !status)
    return child_failure(status);
  pipe_.reset();
  int code = wait_child();
  if (code != kExOk) return make_error("gm-postdrop failed", code);
  return {};
}

// The pipe broke: gm-postdrop stopped reading (message too large, disk
// full...) and said why on standard error; its exit code is the answer.
Status Submission::child_failure(Status cause) {
  pipe_.reset();
  int code = wait_child();
  return make_error(cause.error().message, code == kExOk ? kExIoErr : code);
}

int Submission::wait_child() {
  int status = 0;
  while (::waitpid(child_, &status, 0) < 0 && errno == EINTR) {
  }
  child_ = -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return kExSoftware;
}

}  // namespace gm::tools
