// The authd relay protocol: how a network daemon asks authd which SASL
// mechanisms to offer and relays an exchange's messages (DESIGN.md,
// Processes and trust). Sans-IO: pure functions from lines to messages.
//
// One message per line, fields separated by TAB, binary data in base64
// (auth/base64.hpp; "=" stands for empty data). format_*() returns a line
// WITHOUT the trailing "\n"; parse_*() takes a line without it (a CR or LF
// inside is an error). The transport adds and strips the "\n".
//
//   daemon -> authd (requests)
//     MECHS <id> secured=0|1 cb=0|1
//     AUTH  <id> mech=<M> service=<S> [rip=<ip>] secured=0|1
//           [cb-type=<t> cb-data=<b64>] [resp=<b64>]
//     CONT  <id> <b64 response>
//     ABORT <id>
//     LOOKUP <id> address=<addr>            directory lookup (delivery, RCPT checks)
//   authd -> daemon (replies)
//     MECHS <id> [<M> <M> ...]           mechanisms separated by one space
//     CONT  <id> <b64 challenge>
//     OK    <id> user=<account> [data=<b64 additional data>]
//     FAIL  <id> [temp=1] reason=<public text>
//     USER  <id> address=<canonical> status=active|suspended quota=<bytes>
//           mailbox=<path relative to mail_dir>
//     ALIAS <id> address=<canonical> targets=<addr>,<addr>,...
//     NONE  <id> domain=local|remote        (local: our domain, no such user)
//
// LOOKUP is answered by USER, ALIAS, NONE, or FAIL temp=1 when the
// directory cannot be read. An ALIAS line may be up to kMaxAliasLineLength
// long (a list of many targets); every other line at most kMaxAuthLineLength.
//
// In AUTH, the key=value fields after the id may come in any order, each at
// most once; unknown keys are errors. cb-type and cb-data come together and
// only with secured=1. resp absent means no initial response; "resp==" an
// empty one. rip, when given, is an IPv4 or IPv6 literal (absent: local).
// An id is a decimal 1..kMaxAuthId without leading zeros, chosen by the
// daemon per exchange; replies carry the id of their request.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.hpp"

namespace gm::auth {

inline constexpr size_t kMaxAuthLineLength = 8192;  // bytes, without "\n"
inline constexpr size_t kMaxAuthFields = 10;
inline constexpr uint32_t kMaxAuthId = 0x7fffffff;
inline constexpr size_t kMaxAuthBinary = 4096;   // decoded size of any base64 field
inline constexpr size_t kMaxMechanismName = 20;  // RFC 4422 section 3.1
inline constexpr size_t kMaxMechanismCount = 16;
inline constexpr size_t kMaxServiceName = 16;  // [a-z0-9-]
inline constexpr size_t kMaxAccountLength = 320;
inline constexpr size_t kMaxReasonLength = 200;
inline constexpr size_t kMaxAliasLineLength = 60 * 1024;  // fits net::kMaxIpcLine
inline constexpr size_t kMaxLookupTargets = 1000;         // store::kMaxAliasTargets
inline constexpr size_t kMaxMailboxPathLength = 1024;     // store::kMaxMailboxLength

struct MechsRequest {
  uint32_t id = 0;
  bool secured = false;
  bool channel_binding = false;
  bool operator==(const MechsRequest&) const = default;
};

struct AuthRequest {
  uint32_t id = 0;
  std::string mechanism;  // RFC 4422 charset: A-Z 0-9 - _
  std::string service;    // "smtp", "imap", "pop3", "nntp", "xmpp", ...: [a-z0-9-]
  std::string remote_ip;  // empty: not given (local client)
  bool secured = false;
  std::string cb_type;                          // empty: no channel binding
  std::string cb_data;                          // binary
  std::optional<std::string> initial_response;  // binary
  bool operator==(const AuthRequest&) const = default;
};

struct ContinueRequest {
  uint32_t id = 0;
  std::string response;  // binary
  bool operator==(const ContinueRequest&) const = default;
};

struct AbortRequest {
  uint32_t id = 0;
  bool operator==(const AbortRequest&) const = default;
};

struct MechsReply {
  uint32_t id = 0;
  std::vector<std::string> mechanisms;
  bool operator==(const MechsReply&) const = default;
};

struct ContinueReply {
  uint32_t id = 0;
  std::string challenge;  // binary
  bool operator==(const ContinueReply&) const = default;
};

struct OkReply {
  uint32_t id = 0;
  std::string account;                         // printable, no space
  std::optional<std::string> additional_data;  // binary (SCRAM server-final)
  bool operator==(const OkReply&) const = default;
};

struct FailReply {
  uint32_t id = 0;
  bool temporary = false;  // authd could not decide (backend down): try later
  std::string reason;      // short public text, printable ASCII
  bool operator==(const FailReply&) const = default;
};

// Addresses in lookups: like accounts (printable, no space, UTF-8 bytes
// pass, at most kMaxAccountLength); a target may not hold a comma.
struct LookupRequest {
  uint32_t id = 0;
  std::string address;
  bool operator==(const LookupRequest&) const = default;
};

struct UserReply {
  uint32_t id = 0;
  std::string address;  // canonical
  bool active = true;   // status=active; false: suspended
  uint64_t quota = 0;   // bytes; 0: no limit
  std::string mailbox;  // relative to mail_dir: no leading '/', no "..", no controls
  bool operator==(const UserReply&) const = default;
};

struct AliasReply {
  uint32_t id = 0;
  std::string address;               // canonical
  std::vector<std::string> targets;  // 1..kMaxLookupTargets
  bool operator==(const AliasReply&) const = default;
};

struct NoneReply {
  uint32_t id = 0;
  bool local_domain = false;  // domain=local: ours, but no such user or alias
  bool operator==(const NoneReply&) const = default;
};

using AuthRequestMessage =
    std::variant<MechsRequest, AuthRequest, ContinueRequest, AbortRequest, LookupRequest>;
using AuthReplyMessage =
    std::variant<MechsReply, ContinueReply, OkReply, FailReply, UserReply, AliasReply, NoneReply>;

// Formatting never produces a line that breaks framing: a byte that a text
// field may not hold (TAB, CR, LF, other controls; also space except in a
// reason) becomes '?', and a reason is cut to kMaxReasonLength. A field the
// caller filled outside its charset (say a lower-case mechanism) may then
// fail to parse at the other end; a valid message always round-trips.
std::string format_request(const AuthRequestMessage& message);
std::string format_reply(const AuthReplyMessage& message);

// Strict: the limits above, exact field counts, no empty fields, canonical
// base64 and numbers. Error texts never quote the line.
Result<AuthRequestMessage> parse_request(std::string_view line);
Result<AuthReplyMessage> parse_reply(std::string_view line);

}  // namespace gm::auth
