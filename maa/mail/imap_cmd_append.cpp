// APPEND (RFC 9051 6.3.12) and MULTIAPPEND (RFC 3502) with APPENDUID (RFC
// 4315) and APPENDLIMIT (RFC 7889, enforced by the reader as TOOBIG). Each
// message literal streams into a temporary file of the target folder
// while it arrives (STYLE.md: stream, never slurp); when the command line
// ends, the messages are committed with their flags and internal dates,
// all or none (RFC 3502 3). After ENABLE UTF8=ACCEPT a message may come as
// UTF8 (~{n}) (RFC 6855 4).
#include <algorithm>

#include "core/str.hpp"
#include "imap_flags.hpp"
#include "imap_session_jobs.hpp"
#include "mail/imap_datetime.hpp"

namespace gm::maa {
namespace {

// Messages in one MULTIAPPEND: each holds an open temporary file until the
// command completes.
constexpr size_t kMaxAppendMessages = 100;

// The flags and internal date before one message literal.
struct AppendMessage {
  FlagSet flags;
  int64_t internal_date = 0;  // 0: now
};

bool is_streamed(const mail::ImapArg& arg) {
  return arg.kind == mail::ImapArg::Kind::kStreamedLiteral;
}

// RFC 6855 4: "UTF8 (~{n}...)", the message as the one literal8 of a list.
bool is_utf8_data(const mail::ImapArg& arg) {
  return arg.is_list() && arg.list.size() == 1 && is_streamed(arg.list[0]) && arg.list[0].literal8;
}

// args after the mailbox name: ([flags] [date-time] (literal / UTF8 (literal8)))+
// (RFC 3502 3, RFC 6855 4; the UTF8 form only once UTF8=ACCEPT is enabled).
Result<std::vector<AppendMessage>> parse_append_messages(std::span<const mail::ImapArg> args,
                                                         bool utf8_accept) {
  std::vector<AppendMessage> out;
  AppendMessage next;
  bool have_flags = false, have_date = false, utf8 = false;
  for (const mail::ImapArg& arg : args) {
    if (utf8 && !is_utf8_data(arg)) return make_error("UTF8 needs (~{n}) with the message");
    if (!utf8 && arg.is_atom() && arg.atom_is("UTF8")) {
      if (!utf8_accept) return make_error("APPEND UTF8 needs ENABLE UTF8=ACCEPT");
      utf8 = true;
      continue;
    }
    if (is_streamed(arg) || utf8) {
      const mail::ImapArg& literal = utf8 ? arg.list[0] : arg;
      if (literal.literal_size == 0) return make_error("Empty message");
      out.push_back(std::move(next));
      next = {};
      have_flags = have_date = utf8 = false;
    } else if (arg.is_list() && !have_flags && !have_date) {
      auto f = parse_flags(std::span(&arg, 1));
      if (!f) return f.error();
      next.flags = std::move(*f);
      have_flags = true;
    } else if (arg.kind == mail::ImapArg::Kind::kQuoted && !have_date) {
      auto when = mail::parse_imap_datetime(arg.text);
      if (!when) return make_error("Invalid APPEND date-time");
      next.internal_date = when->unix_time;
      have_date = true;
    } else {
      return make_error("Invalid APPEND arguments");
    }
  }
  if (out.empty() || have_flags || have_date || utf8)
    return make_error("APPEND needs the message as a literal");
  return out;
}

}  // namespace

mail::ImapLiteralSink* ImapSession::append_sink(const mail::ImapLiteralAnnounce& announce) {
  // Only APPEND's messages (after the mailbox name) stream, nested only as
  // APPEND UTF8 (~{n}) (RFC 6855 4); other literals are small and stay in
  // the reader.
  if (announce.name != "APPEND" || announce.args.empty()) return nullptr;
  if (announce.nested && !(enabled_.utf8_accept() && announce.args.back().atom_is("UTF8")))
    return nullptr;
  // MULTIAPPEND (RFC 3502): a later message of the same command.
  if (append_ && std::any_of(announce.args.begin(), announce.args.end(),
                             [](const auto& a) { return is_streamed(a) || is_utf8_data(a); }))
    return add_append_message(announce.size);
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
  return add_append_message(announce.size);
}

// A temporary file in the sink's folder for the next message literal.
mail::ImapLiteralSink* ImapSession::add_append_message(uint64_t size) {
  AppendSink& sink = *append_;
  if (sink.failure) return &sink;
  sink.announced += size;
  if (sink.messages.size() >= kMaxAppendMessages) {
    sink.failure = imap_reply::limit(str_cat("At most ", kMaxAppendMessages, " messages"));
    return &sink;
  }
  if (auto quota = quota_left(); quota && *quota < sink.announced) {
    sink.failure = imap_reply::over_quota();
    return &sink;
  }
  auto message = sink.folder->begin_append();
  if (!message) {
    sink.failure = imap_reply::server_bug(message.error().message);
    return &sink;
  }
  sink.messages.push_back(std::move(*message));
  return &sink;
}

void ImapSession::cmd_append(const mail::ImapCommand& command) {
  std::unique_ptr<AppendSink> sink = std::move(append_);
  auto parsed = parse_append_messages(std::span(command.args).subspan(1), enabled_.utf8_accept());
  if (!parsed || !sink) {
    return finish(command, imap_reply::syntax(parsed ? "APPEND needs the message as a literal"
                                                     : parsed.error().message));
  }
  if (sink->failure) return finish(command, *sink->failure);
  if (parsed->size() != sink->messages.size())
    return finish(command, imap_reply::syntax("APPEND needs the message as a literal"));
  std::vector<uint32_t> uids;
  for (size_t i = 0; i < parsed->size(); ++i) {
    const AppendMessage& m = (*parsed)[i];
    auto uid = sink->folder->commit_append(std::move(sink->messages[i]), m.flags.flags,
                                           m.flags.keywords, m.internal_date);
    if (!uid) {
      // RFC 3502 3: none of the messages is appended when one fails.
      (void)sink->folder->expunge(uids);
      return finish(command, imap_reply::no(uid.error().message));
    }
    uids.push_back(*uid);
  }
  std::string set = std::to_string(uids.front());
  for (size_t i = 1; i < uids.size(); ++i) set += str_cat(",", uids[i]);
  finish(command, imap_reply::ok("APPEND completed",
                                 str_cat("APPENDUID ", sink->folder->uid_validity(), " ", set)));
}

}  // namespace gm::maa
