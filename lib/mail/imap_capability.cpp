#include "mail/imap_capability.hpp"

#include "core/str.hpp"

namespace gm::mail {
namespace {

// What both lists share: both revisions (RFC 9051 and RFC 3501), and the
// pre-login extensions a client may use before it authenticates.
constexpr std::string_view kBase = "IMAP4rev1 IMAP4rev2 LITERAL+ ID ENABLE";

}  // namespace

std::string imap_capabilities_before_login(const PreLoginState& state) {
  std::string caps(kBase);
  if (!state.tls_active) {
    if (state.tls_available) caps += " STARTTLS";
    return caps + " LOGINDISABLED";
  }
  caps += " SASL-IR";
  for (const std::string& mech : state.mechanisms) caps += str_cat(" AUTH=", mech);
  return caps;
}

std::string imap_capabilities_after_login(uint64_t append_limit) {
  std::string caps =
      str_cat(kBase,
              " IDLE NAMESPACE UIDPLUS MOVE SPECIAL-USE CONDSTORE QRESYNC ESEARCH SEARCHRES SORT"
              " THREAD=REFERENCES THREAD=ORDEREDSUBJECT QUOTA QUOTA=RES-STORAGE"
              " QUOTA=RES-MESSAGE LIST-EXTENDED LIST-STATUS CHILDREN UNSELECT STATUS=SIZE"
              " BINARY COMPRESS=DEFLATE MULTIAPPEND UTF8=ACCEPT");
  if (append_limit > 0) caps += str_cat(" APPENDLIMIT=", append_limit);
  return caps;
}

}  // namespace gm::mail
