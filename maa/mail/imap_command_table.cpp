// Every IMAP command maa-mail knows, on one screen (STYLE.md). The check
// is the state mask and the argument counts (dispatch() in
// imap_session.cpp refuses with BAD before any work); each proceed member
// reads its arguments in detail and answers through the reply builder.
// LOGIN, AUTHENTICATE and STARTTLS belong to maa, before the handoff: no
// state allows them here, so they have no proceed step.
#include "imap_session.hpp"

namespace gm::maa {

std::span<const ImapCommandSpec> ImapSession::commands() {
  using S = ImapSession;
  constexpr uint8_t kAny = kAnyState;
  constexpr uint8_t kSel = kSelectedOnly;
  // clang-format off
  static constexpr ImapCommandSpec kCommands[] = {
      // name           states      uid    min max       proceed
      {"CAPABILITY",   kAny,       false, 0, 0,        &S::cmd_capability},
      {"NOOP",         kAny,       false, 0, 0,        &S::cmd_noop},
      {"LOGOUT",       kAny,       false, 0, 0,        &S::cmd_logout},
      {"ID",           kAny,       false, 1, 1,        &S::cmd_id},
      {"ENABLE",       kAny,       false, 1, kAnyArgs, &S::cmd_enable},  // RFC 5161 3.1
      {"NAMESPACE",    kAny,       false, 0, 0,        &S::cmd_namespace},
      {"IDLE",         kAny,       false, 0, 0,        &S::cmd_idle},
      {"COMPRESS",     kAny,       false, 1, 1,        &S::cmd_compress},
      {"LOGIN",        kNeverHere, false, 0, kAnyArgs, nullptr},
      {"AUTHENTICATE", kNeverHere, false, 0, kAnyArgs, nullptr},
      {"STARTTLS",     kNeverHere, false, 0, kAnyArgs, nullptr},
      {"CREATE",       kAny,       false, 1, 1,        &S::cmd_create},
      {"DELETE",       kAny,       false, 1, 1,        &S::cmd_delete},
      {"RENAME",       kAny,       false, 2, 2,        &S::cmd_rename},
      {"SUBSCRIBE",    kAny,       false, 1, 1,        &S::cmd_subscribe},
      {"UNSUBSCRIBE",  kAny,       false, 1, 1,        &S::cmd_unsubscribe},
      {"LIST",         kAny,       false, 2, kAnyArgs, &S::cmd_list},
      {"LSUB",         kAny,       false, 2, 2,        &S::cmd_lsub},
      {"STATUS",       kAny,       false, 2, 2,        &S::cmd_status},
      {"GETQUOTA",     kAny,       false, 1, 1,        &S::cmd_getquota},
      {"GETQUOTAROOT", kAny,       false, 1, 1,        &S::cmd_getquotaroot},
      {"SELECT",       kAny,       false, 1, 2,        &S::cmd_select},
      {"EXAMINE",      kAny,       false, 1, 2,        &S::cmd_examine},
      {"APPEND",       kAny,       false, 2, kAnyArgs, &S::cmd_append},  // RFC 3502
      {"CHECK",        kSel,       false, 0, 0,        &S::cmd_check},
      {"CLOSE",        kSel,       false, 0, 0,        &S::cmd_close},
      {"UNSELECT",     kSel,       false, 0, 0,        &S::cmd_unselect},
      {"EXPUNGE",      kSel,       true,  0, 1,        &S::cmd_expunge},
      {"SEARCH",       kSel,       true,  1, kAnyArgs, &S::cmd_search},
      {"FETCH",        kSel,       true,  2, 3,        &S::cmd_fetch},
      {"STORE",        kSel,       true,  3, kAnyArgs, &S::cmd_store},
      {"COPY",         kSel,       true,  2, 2,        &S::cmd_copy},
      {"MOVE",         kSel,       true,  2, 2,        &S::cmd_move},
      {"SORT",         kSel,       true,  3, kAnyArgs, &S::cmd_sort},
      {"THREAD",       kSel,       true,  3, kAnyArgs, &S::cmd_thread},
  };
  // clang-format on
  return kCommands;
}

}  // namespace gm::maa
