// APPEND (RFC 9051 6.3.12) with APPENDUID (RFC 4315) and APPENDLIMIT (RFC
// 7889, enforced by the reader as TOOBIG). The message literal streams into
// a temporary file of the target folder while it arrives (STYLE.md:
// stream, never slurp); the command then commits it with its flags and
// internal date.
#include "core/str.hpp"
#include "imap_flags.hpp"
#include "imap_session_jobs.hpp"
#include "mail/imap_datetime.hpp"

namespace gm::maa {

mail::ImapLiteralSink* ImapSession::append_sink(const mail::ImapLiteralAnnounce& announce) {
  // Only APPEND's message (after the mailbox name) streams; other literals
  // are small and stay in the reader.
  if (announce.name != "APPEND" || announce.args.empty() || announce.nested) return nullptr;
  append_ = std::make_unique<AppendSink>();
  AppendSink& sink = *append_;
  auto name = read_mailbox_name(announce.args[0]);
  if (!name) {
    sink.failure = name_refused(name.error());
    return &sink;
  }
  if (!store_.exists(*name)) {
    sink.failure = imap_reply::try_create();
    return &sink;
  }
  auto folder = open_folder(*name);
  if (auto* refused = std::get_if<ImapReply>(&folder)) {
    sink.failure = *refused;
    return &sink;
  }
  sink.opened = std::move(std::get<std::shared_ptr<SharedFolder>>(folder));
  sink.folder = &sink.opened->folder();
  if (auto quota = quota_left(); quota && *quota < announce.size) {
    sink.failure = imap_reply::over_quota();
    return &sink;
  }
  auto message = sink.folder->begin_append();
  if (!message) {
    sink.failure = imap_reply::server_bug(message.error().message);
    return &sink;
  }
  sink.message.emplace(std::move(*message));
  return &sink;
}

void ImapSession::cmd_append(const mail::ImapCommand& command) {
  std::unique_ptr<AppendSink> sink = std::move(append_);
  const auto& args = command.args;
  const mail::ImapArg& literal = args.back();
  if (literal.kind != mail::ImapArg::Kind::kStreamedLiteral || !sink)
    return finish(command, imap_reply::syntax("APPEND needs the message as a literal"));
  FlagSet flags;
  int64_t internal_date = 0;
  for (size_t i = 1; i + 1 < args.size(); ++i) {
    if (args[i].is_list()) {
      auto f = parse_flags(std::span(&args[i], 1));
      if (!f) return finish(command, imap_reply::syntax(f.error().message));
      flags = std::move(*f);
    } else if (args[i].kind == mail::ImapArg::Kind::kQuoted) {
      auto when = mail::parse_imap_datetime(args[i].text);
      if (!when) return finish(command, imap_reply::syntax("Invalid APPEND date-time"));
      internal_date = when->unix_time;
    } else {
      return finish(command, imap_reply::syntax("Invalid APPEND arguments"));
    }
  }
  if (sink->failure) return finish(command, *sink->failure);
  if (literal.literal_size == 0) return finish(command, imap_reply::syntax("Empty message"));
  auto uid = sink->folder->commit_append(std::move(*sink->message), flags.flags, flags.keywords,
                                         internal_date);
  if (!uid) return finish(command, imap_reply::no(uid.error().message));
  finish(command, imap_reply::ok("APPEND completed",
                                 str_cat("APPENDUID ", sink->folder->uid_validity(), " ", *uid)));
}

}  // namespace gm::maa
