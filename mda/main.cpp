// mda: the local delivery agent (mda(8)). Speaks LMTP (RFC 2033) on the
// Unix socket lmtp_socket (listener "lmtp") to qmgr, expands aliases
// through authd (LOOKUP on auth_socket), and writes each message into the
// recipient's Maildir++ under mail_dir with Return-Path and Delivered-To,
// fsync'ed before it answers. Runs as mail_user, the owner of every
// mailbox (the service table's user column); reads nothing else.
#include "lmtp_session.hpp"
#include "net/server.hpp"

int main(int argc, char** argv) {
  gm::net::ServerSpec spec{
      "mda", "LMTP local delivery agent into Maildir++", {}, nullptr, gm::mda::make_lmtp_factory};
  return gm::net::run_server(argc, argv, spec);
}
