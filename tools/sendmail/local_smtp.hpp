// sendmail -bs: SMTP on standard input and output, for programs that submit
// local mail by speaking SMTP to a pipe (RFC 5321 subset: HELO, EHLO, MAIL,
// RCPT, DATA, RSET, NOOP, QUIT). Each message goes to gm-postdrop like any
// other sendmail message. A deliberately small dialogue of its own: the
// network servers' SMTP engine (msa, mta) is not used here; this is
// documented in sendmail(1).
#pragma once

#include <string>

#include "core/config.hpp"

namespace gm::tools {

int run_local_smtp(const core::Config& config, const std::string& config_path, bool verbose);

}  // namespace gm::tools
