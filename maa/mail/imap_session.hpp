// The IMAP engine of maa-mail (RFC 9051 IMAP4rev2 and RFC 3501 IMAP4rev1):
// one ImapSession per logged-in client, made after maa's handoff and
// started in the Authenticated state on the plaintext stream maa relays.
// Commands come from ImapCommandReader and go through one table
// (imap_command_table.cpp): name, the states that allow it, argument
// counts (the check), and the member that does the work (the proceed).
// The selected mailbox is a MailboxFolder shared by every session of the
// process that selects it (folder_registry.hpp) plus this client's
// MailboxView; other sessions' and mda's changes are announced after
// commands, NOOP and during IDLE (one DirWatch per folder).
//
// Disk calls (MailboxFolder, MailboxStore, message files) block: maa-mail
// serves one user's sessions, and a slow disk slows that user only.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "folder_registry.hpp"
#include "imap_compress.hpp"
#include "imap_mailbox_view.hpp"
#include "imap_reply.hpp"
#include "imap_state.hpp"
#include "mail/imap_parser.hpp"
#include "mail/imap_search.hpp"
#include "mail/imap_sequence_set.hpp"
#include "mail/maa_handoff.hpp"
#include "mail/mailbox_folder.hpp"
#include "mail/mailbox_store.hpp"
#include "mail_context.hpp"
#include "net/session.hpp"

namespace gm::net {
class Connection;
class EventLoop;
}  // namespace gm::net

namespace gm::maa {

// Output queued before a long answer (FETCH) waits for the client to read.
inline constexpr size_t kImapOutputPause = 256 * 1024;
// Messages announced by one FETCH/SEARCH response stay bounded by the
// mailbox; this bounds the FETCH items of one command.
inline constexpr size_t kImapMaxFetchItems = 100;

// Error::code of read_mailbox_name() for names that are bad syntax (BAD);
// other refused names get NO [CANNOT].
inline constexpr int kBadName = 1;
ImapReply name_refused(const Error& error);
// An atom as IMAP echoes it ("body.peek" -> "BODY.PEEK").
std::string upper_ascii(std::string_view s);

class ImapSession;

// What a SEARCH found: sequence numbers, and what the answer reports.
struct SearchHits {
  mail::SearchProgram program;
  std::vector<uint32_t> seqs;     // ascending
  std::vector<uint32_t> numbers;  // seqs, or their UIDs for the UID form
  uint64_t max_modseq = 0;
};

// One row of the command table (STYLE.md: the protocol on one screen).
struct ImapCommandSpec {
  std::string_view name;
  uint8_t states;    // state_bit()s that allow the command
  bool uid_form;     // may come as "UID <name>"
  uint8_t min_args;  // the check: argument counts before the work starts
  uint8_t max_args;  // kAnyArgs: no upper bound
  void (ImapSession::*proceed)(const mail::ImapCommand& command);  // null: never allowed
};
inline constexpr uint8_t kAnyArgs = 255;

class ImapSession final : public net::Session {
 public:
  ImapSession(MailContext& context, mail::MaaHandoff handoff);
  ~ImapSession() override;

  // The dispatch calls on_connect once after the handoff: nothing is sent
  // (maa already answered the login); input switches to raw bytes.
  void on_connect(net::Connection& c) override;
  void on_line(net::Connection& c, std::string_view line) override;
  void on_line_too_long(net::Connection& c) override;
  void on_data(net::Connection& c, std::string_view chunk, bool last) override;
  void on_drain(net::Connection& c) override;
  void on_timeout(net::Connection& c, net::Timeout which) override;
  void on_refused(net::Connection& c, net::Refusal why) override;
  void on_close(net::Connection& c) override;

  static std::span<const ImapCommandSpec> commands();

 private:
  struct Selected {
    std::string name;  // UTF-8 IMAP name
    std::shared_ptr<SharedFolder> shared;
    mail::MailboxFolder* folder = nullptr;  // shared's
    uint32_t uid_validity = 0;              // as the client was told at SELECT
    MailboxView view;
    bool read_only = false;
    // The keywords the last FLAGS response listed (RFC 9051 7.3.5: a new
    // one is announced with FLAGS and PERMANENTFLAGS).
    std::vector<std::string> announced_keywords;
    // RFC 5182 SEARCHRES: the UIDs of the last SEARCH RETURN (SAVE), "$";
    // empty again after SELECT, EXAMINE, CLOSE and UNSELECT (a new Selected).
    std::vector<uint32_t> saved_uids;
    std::unique_ptr<SharedFolder::Subscription> idle;  // during IDLE
  };
  struct FetchJob;   // a FETCH answer that continues when output drains
  struct SearchJob;  // a SEARCH/SORT/THREAD that continues on the next loop turn

  // Input and dispatch (imap_session.cpp).
  void process_input();
  void handle(mail::ImapReaderResult result);
  void dispatch(const mail::ImapCommand& command);
  void finish(const mail::ImapCommand& command, const ImapReply& reply);
  void finish_tagged(std::string_view tag, const ImapReply& reply);
  void flush();
  void write(std::string_view bytes);  // to the client, compressed once COMPRESS is on
  void untagged(std::string_view text);
  // Announces what changed in the selected folder (after sync()).
  void announce_updates(bool announce_expunges);
  // synced: the shared folder synced just now (an IDLE wake-up).
  void refresh_selected(bool announce_expunges, bool synced = false);
  std::string fetch_flags_line(uint32_t seq, const mail::MessageRecord& record, bool with_uid);
  void folder_changed();  // DirWatch

  // Names on the wire (imap_mailbox_names.cpp).
  Result<std::string> read_mailbox_name(const mail::ImapArg& arg) const;
  Result<std::string> read_pattern(const std::string& text) const;  // LIST/LSUB, to UTF-8
  std::string wire_mailbox_name(std::string_view utf8) const;
  void append_mailbox_name(std::string& out, std::string_view utf8) const;

  // Commands in any state (imap_cmd_general.cpp).
  void cmd_capability(const mail::ImapCommand& command);
  void cmd_noop(const mail::ImapCommand& command);
  void cmd_logout(const mail::ImapCommand& command);
  void cmd_id(const mail::ImapCommand& command);
  void cmd_enable(const mail::ImapCommand& command);
  // RFC 7162 3.1: a CONDSTORE enabling command; the first one reports the
  // selected mailbox's HIGHESTMODSEQ.
  void enable_condstore();
  void report_highest_modseq();
  void cmd_namespace(const mail::ImapCommand& command);
  void cmd_idle(const mail::ImapCommand& command);
  void cmd_compress(const mail::ImapCommand& command);
  void idle_done(std::string_view line);

  // Mailboxes (imap_cmd_mailboxes.cpp, imap_cmd_list.cpp, imap_cmd_status.cpp).
  void cmd_create(const mail::ImapCommand& command);
  void cmd_delete(const mail::ImapCommand& command);
  void cmd_rename(const mail::ImapCommand& command);
  void cmd_subscribe(const mail::ImapCommand& command);
  void cmd_unsubscribe(const mail::ImapCommand& command);
  void cmd_list(const mail::ImapCommand& command);
  void cmd_lsub(const mail::ImapCommand& command);
  void cmd_status(const mail::ImapCommand& command);
  void cmd_getquota(const mail::ImapCommand& command);
  void cmd_getquotaroot(const mail::ImapCommand& command);
  std::optional<ImapReply> status_line(std::string_view name, std::span<const mail::ImapArg> items,
                                       std::string& out);
  std::string quota_line() const;
  std::optional<uint64_t> quota_left() const;  // bytes; nullopt: no quota

  // Selecting (imap_cmd_select.cpp).
  void cmd_select(const mail::ImapCommand& command);
  void cmd_examine(const mail::ImapCommand& command);
  void cmd_close(const mail::ImapCommand& command);
  void cmd_unselect(const mail::ImapCommand& command);
  void cmd_check(const mail::ImapCommand& command);
  void cmd_expunge(const mail::ImapCommand& command);
  void select_mailbox(const mail::ImapCommand& command, bool read_only);
  // The folder behind an existing name: the selected one, or the shared
  // one of this process (opened when no session holds it).
  std::variant<std::shared_ptr<SharedFolder>, ImapReply> open_folder(std::string_view name);
  void report_changes_since(uint64_t modseq, const mail::SequenceSet* known, bool vanished);
  void deselect();
  // FLAGS and PERMANENTFLAGS when the folder's keywords differ from the
  // ones last announced (always, when `always`).
  void announce_keywords(bool always);

  // Messages (imap_cmd_store.cpp, imap_cmd_fetch.cpp, imap_cmd_search.cpp,
  // imap_cmd_append.cpp).
  void cmd_store(const mail::ImapCommand& command);
  void cmd_copy(const mail::ImapCommand& command);
  void cmd_move(const mail::ImapCommand& command);
  void cmd_fetch(const mail::ImapCommand& command);
  void cmd_search(const mail::ImapCommand& command);
  void cmd_sort(const mail::ImapCommand& command);
  void cmd_thread(const mail::ImapCommand& command);
  void cmd_append(const mail::ImapCommand& command);
  void copy_or_move(const mail::ImapCommand& command, bool move);
  // The UIDs a sequence set names in the current view (ascending).
  // The UIDs a set names (ascending); expunged messages still in the view
  // are left out.
  Result<std::vector<uint32_t>> resolve_set(const mail::ImapArg& arg, bool uid) const;
  // The sequence numbers a set names (ascending), for FETCH and SEARCH.
  Result<std::vector<uint32_t>> resolve_seqs(const mail::ImapArg& arg, bool uid) const;
  // SEARCH, SORT and THREAD (imap_cmd_search.cpp): parsed, then evaluated
  // in slices through the process's SearchScheduler so its other sessions
  // are served meanwhile; this session's next commands wait (input paused).
  void start_search(std::unique_ptr<SearchJob> job, std::span<const mail::ImapArg> criteria);
  bool run_search_job();   // true when answered
  bool continue_search();  // the scheduler's slice: true when done
  void answer_search(SearchJob& job);
  void save_result(const SearchHits& hits);  // RFC 5182 SEARCH RETURN (SAVE)
  bool run_fetch_job();
  bool fetch_one(FetchJob& job, uint32_t seq, std::string& out, std::optional<ImapReply>& error);
  mail::ImapLiteralSink* append_sink(const mail::ImapLiteralAnnounce& announce);
  mail::ImapLiteralSink* add_append_message(uint64_t size);

  MailContext& context_;
  mail::MaaHandoff handoff_;
  net::Connection* conn_ = nullptr;
  ImapState state_ = ImapState::kAuthenticated;
  ImapInput input_ = ImapInput::kCommands;
  EnabledSet enabled_;
  mail::ImapCommandReader reader_;
  mail::MailboxStore store_;
  std::unique_ptr<Selected> selected_;
  std::string pending_input_;  // bytes received while busy or idling
  std::string out_;            // responses of the running command
  std::string idle_tag_;
  std::unique_ptr<FetchJob> fetch_job_;
  std::unique_ptr<SearchJob> search_job_;
  struct AppendSink;
  std::unique_ptr<AppendSink> append_;
  std::unique_ptr<DeflateStreams> compress_;
};

}  // namespace gm::maa
