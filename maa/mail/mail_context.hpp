// What every session of the maa-mail process shares: the loop, the
// settings read at start and the open folders.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <sys/types.h>

#include "core/config.hpp"
#include "folder_registry.hpp"
#include "mail/header_cache.hpp"
#include "mail/imap_parser.hpp"
#include "net/event_loop.hpp"
#include "search_scheduler.hpp"

namespace gm::maa {

struct MailContext {
  MailContext(net::EventLoop& loop, const core::Config& config);

  net::EventLoop& loop;
  std::string mail_dir;             // mail_dir, resolved with realpath() at start
  std::vector<uid_t> trusted_uids;  // who may send a handoff: unprivileged_user and us
  std::chrono::milliseconds imap_idle_timeout;
  std::chrono::milliseconds pop3_idle_timeout;
  uint64_t append_limit;   // message_size_limit: APPENDLIMIT
  // imap_max_line_length, imap_max_nesting, imap_max_search_nesting (with
  // append_limit as the literal limit).
  mail::ImapReaderOptions imap_reader;
  FolderRegistry folders;  // one MailboxFolder per folder, shared by the sessions
  // Header fields for SEARCH/SORT/THREAD, shared by every session of the
  // process (kHeaderCacheBytes); a cache, so const sessions may fill it.
  mutable mail::HeaderCache header_cache;
  // Long searches of every session, one slice per loop turn, in arrival order.
  mutable SearchScheduler search_scheduler{loop};
};

}  // namespace gm::maa
