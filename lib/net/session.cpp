#include "net/session.hpp"

#include "net/connection.hpp"

namespace gm::net {

// A protocol that never calls read_bytes() never gets here; one that does
// and forgets to handle the bytes fails closed.
void Session::on_data(Connection& c, std::string_view, bool) {
  c.close();
}

}  // namespace gm::net
