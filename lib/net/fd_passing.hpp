// Passing an open file descriptor to another process (SCM_RIGHTS, unix(7))
// with a short message, over a SOCK_SEQPACKET socket pair: one message per
// call, its fd arrives with it. maa-mail's dispatcher hands each client
// connection to the worker process of its user this way (maa-mail(8)).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/unique_fd.hpp"

namespace gm::net {

// Longest message that may travel with an fd; the receiver's buffer.
inline constexpr size_t kMaxPassedMessage = 8192;

// A connected SOCK_SEQPACKET pair, nonblocking and close-on-exec.
Result<std::pair<UniqueFd, UniqueFd>> seqpacket_pair();

// Sends `message` (1..kMaxPassedMessage bytes) with `fd` attached (-1: none).
// On a nonblocking socket a full buffer is an error (EAGAIN), as is a peer
// that went away (EPIPE; no SIGPIPE); a failed call's errno is the code.
Status send_message(int socket, std::string_view message, int fd = -1);

struct PassedMessage {
  enum class Kind { kMessage, kNothingYet, kPeerClosed };
  Kind kind = Kind::kNothingYet;
  std::string text;
  UniqueFd fd;  // close-on-exec; invalid when none came with the message
};

// Receives one message. kNothingYet: a nonblocking socket had none waiting.
// A message longer than kMaxPassedMessage, or one whose fds did not fit
// (more than one), is an error; fds that came with it are closed.
Result<PassedMessage> receive_message(int socket);

}  // namespace gm::net
