// The directories the suite works in: run_dir (sockets, pid files),
// spool_dir (the queue), data_dir (databases) and mail_dir (Maildirs).
// gm-master creates the missing ones before it starts any daemon.
#pragma once

#include "core/result.hpp"
#include "master/master_config.hpp"

namespace gm::master {

// When root, a directory created here gets its owner and mode from
// services.conf(5)/gm-master(8): run_dir root 0755, spool_dir
// unprivileged_user 0750, data_dir root 0755, mail_dir mail_user 0700.
// Existing directories are never changed. Not root: created with the same
// modes, owned by the invoking user.
Status create_runtime_dirs(const MasterConfig& master);

}  // namespace gm::master
