// max_open_files (gm.conf(5)): the RLIMIT_NOFILE, soft and hard, gm-master
// sets for itself at start, so every daemon it starts inherits it. Only
// root may raise the hard limit (the daemons drop root later, so it is done
// here); without root the value is capped at the hard limit.
#pragma once

#include "core/config.hpp"
#include "core/result.hpp"

namespace gm::master {

Status apply_open_files_limit(const core::Config& config);

}  // namespace gm::master
