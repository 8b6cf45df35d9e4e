// max_open_files (gm.conf(5)): the RLIMIT_NOFILE gm-master sets for itself
// at start, so every daemon it starts inherits it. As root it sets soft and
// hard limits (only root may raise the hard one, and the daemons drop root
// later); otherwise the soft limit, up to the hard one.
#pragma once

#include "core/config.hpp"
#include "core/result.hpp"

namespace gm::master {

Status apply_open_files_limit(const core::Config& config);

}  // namespace gm::master
