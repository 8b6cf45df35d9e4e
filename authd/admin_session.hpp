// One gmctl connection to the admin socket (authd(8), ADMIN PROTOCOL;
// codec in store/admin_protocol.hpp). Each request is applied to the
// directory by the same code gmctl runs when authd is down, and logged
// (command and address only: never a secret).
#pragma once

#include <string>
#include <string_view>

#include "line_connection.hpp"
#include "store/user_directory.hpp"

namespace gm::authd {

class AdminSession final : public LineProtocol {
 public:
  explicit AdminSession(store::UserDirectory& directory) : directory_(directory) {}

  std::string on_line(std::string_view line) override;
  std::string on_line_too_long() override;

 private:
  store::UserDirectory& directory_;
};

}  // namespace gm::authd
