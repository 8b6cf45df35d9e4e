// One message on its way from sendmail(1) to gm-postdrop(8): takes the
// message line by line (from standard input, or from -bs's DATA), holds
// only the header section in memory (bounded), and streams the body to
// gm-postdrop through a pipe once the header is complete.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/result.hpp"
#include "core/unique_fd.hpp"
#include "mail/local_message.hpp"

namespace gm::tools {

struct SubmitParams {
  std::string config_path;              // passed on to gm-postdrop as -c when not the default
  std::string sender;                   // envelope sender, qualified; "" is <>
  std::string full_name;                // -F
  bool extract_recipients = false;      // -t
  std::vector<std::string> recipients;  // qualified
  bool verbose = false;                 // -v: print the queue ID
};

// Errors carry a sysexits(3) code (sysexits.hpp) in Error::code.
class Submission {
 public:
  Submission(const core::Config& config, SubmitParams params);
  ~Submission();
  Submission(const Submission&) = delete;
  Submission& operator=(const Submission&) = delete;

  // broken: the line was longer than the limit and continues (InputLines).
  Status add_line(std::string_view line, bool broken = false);
  Status finish();  // gm-postdrop has committed the message when this returns ok

 private:
  Status start();
  Status write(std::string_view bytes, bool force = false);
  Status child_failure(Status cause);
  int wait_child();

  const core::Config& config_;
  SubmitParams params_;
  mail::HeaderSection header_;
  bool in_body_ = false;
  std::string out_;
  UniqueFd pipe_;
  pid_t child_ = -1;
};

}  // namespace gm::tools
