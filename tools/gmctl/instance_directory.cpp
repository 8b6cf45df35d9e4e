// The user directory of a new instance: created with its domain in it,
// through the same path as `gmctl domain add` (directly, under the writer
// lock, since nothing runs yet).
#include "command.hpp"
#include "core/str.hpp"
#include "directory_access.hpp"

namespace gm::gmctl {

Status create_directory_with_domain(const std::string& config_path, const std::string& domain) {
  auto config = core::Config::load(config_path);
  if (!config) return config.error();
  auto listing = run_admin_request(*config, {store::AdminCommand::kDomainList, {}});
  if (!listing) return listing.error();
  for (const auto& row : listing->rows)
    if (!row.empty() && row.front() == domain) return {};  // re-init keeps the directory
  auto added = run_admin_request(*config, {store::AdminCommand::kDomainAdd, {domain}});
  if (!added) return added.error();
  if (!added->ok) return make_error(str_cat("domain add ", domain, ": ", added->error));
  return {};
}

}  // namespace gm::gmctl
