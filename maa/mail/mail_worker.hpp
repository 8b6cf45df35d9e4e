// A maa-mail worker process (maa-mail(8)): runs the IMAP and POP3 engines
// for the connections its dispatcher passes over the socket on fd 3, each
// with its handoff line; tells the dispatcher "done <user>" when a session
// ends. When the dispatcher closes the socket (the worker was idle) or goes
// away, the worker finishes its open sessions and exits. SIGTERM: closes
// every session and exits.
#pragma once

namespace gm::maa {

// main() of `maa-mail --worker USER -c FILE`.
int run_mail_worker(int argc, char** argv);

}  // namespace gm::maa
