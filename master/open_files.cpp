#include "master/open_files.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/str.hpp"

namespace gm::master {

Status apply_open_files_limit(const core::Config& config) {
  int64_t wanted = config.integer("max_open_files");
  if (wanted <= 0) return {};
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
    return make_error(str_cat("getrlimit(RLIMIT_NOFILE): ", std::strerror(errno)));
  auto value = static_cast<rlim_t>(wanted);
  if (::geteuid() != 0) value = std::min(value, limit.rlim_max);  // only root raises the hard one
  limit = {value, value};
  if (::setrlimit(RLIMIT_NOFILE, &limit) != 0)
    return make_error(str_cat(config.origin("max_open_files"), ": setrlimit(RLIMIT_NOFILE, ",
                              wanted, "): ", std::strerror(errno)));
  return {};
}

}  // namespace gm::master
