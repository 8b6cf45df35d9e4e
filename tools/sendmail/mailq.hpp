// mailq(1) and sendmail -bp: the queue in Postfix's mailq format.
#pragma once

#include "core/config.hpp"

namespace gm::tools {

// Prints the listing; returns a sysexits(3) code.
int print_mail_queue(const core::Config& config);

}  // namespace gm::tools
