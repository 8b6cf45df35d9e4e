// Commands of every state: CAPABILITY, NOOP, LOGOUT, ID (RFC 2971),
// ENABLE (RFC 5161), NAMESPACE (RFC 2342), IDLE (RFC 2177), CHECK.
#include "core/build_info.hpp"
#include "core/log.hpp"
#include "core/str.hpp"
#include "imap_session.hpp"
#include "mail/imap_capability.hpp"
#include "mail/imap_string.hpp"
#include "net/connection.hpp"

namespace gm::maa {

namespace {

// RFC 2971 3.3: at most 30 field-value pairs, fields at most 30 octets,
// values at most 1024.
constexpr size_t kMaxIdPairs = 30;
constexpr size_t kMaxIdField = 30;
constexpr size_t kMaxIdValue = 1024;

bool valid_id_list(const mail::ImapArg& arg) {
  if (arg.is_nil()) return true;
  if (!arg.is_list() || arg.list.size() % 2 != 0 || arg.list.size() > 2 * kMaxIdPairs) return false;
  for (size_t i = 0; i < arg.list.size(); i += 2) {
    const auto& field = arg.list[i];
    const auto& value = arg.list[i + 1];
    if (!field.is_string() || field.text.size() > kMaxIdField) return false;
    if (!(value.is_nil() || value.is_string()) || value.text.size() > kMaxIdValue) return false;
  }
  return true;
}

}  // namespace

void ImapSession::cmd_capability(const mail::ImapCommand& command) {
  untagged("CAPABILITY " + mail::imap_capabilities_after_login(context_.append_limit));
  finish(command, imap_reply::completed("CAPABILITY"));
}

void ImapSession::cmd_noop(const mail::ImapCommand& command) {
  finish(command, imap_reply::completed("NOOP"));
}

void ImapSession::cmd_check(const mail::ImapCommand& command) {
  finish(command, imap_reply::completed("CHECK"));
}

void ImapSession::cmd_logout(const mail::ImapCommand& command) {
  out_ += format_bye("Logging out");
  state_ = ImapState::kLogout;
  selected_.reset();
  finish_tagged(command.tag, imap_reply::completed("LOGOUT"));
  if (conn_ != nullptr) conn_->close_after_flush();
}

void ImapSession::cmd_id(const mail::ImapCommand& command) {
  const auto& arg = command.args[0];
  if (!valid_id_list(arg)) return finish(command, imap_reply::syntax("Invalid ID parameters"));
  std::string client;
  for (size_t i = 0; arg.is_list() && i < arg.list.size(); i += 2)
    client += arg.list[i].text + "=" + arg.list[i + 1].text + " ";
  if (!client.empty())
    log::write(log::Level::kInfo, handoff_.session, "client ID: " + printable(client));
  std::string line = "ID (\"name\" \"GoodMessaging\" \"version\" ";
  mail::append_quoted(line, kVersion);
  line += ")";
  untagged(line);
  finish(command, imap_reply::completed("ID"));
}

void ImapSession::cmd_enable(const mail::ImapCommand& command) {
  struct Known {
    std::string_view name;
    ImapExtension extension;
  };
  static constexpr Known kKnown[] = {{"IMAP4REV2", ImapExtension::kImap4rev2},
                                     {"CONDSTORE", ImapExtension::kCondstore},
                                     {"QRESYNC", ImapExtension::kQresync},
                                     {"UTF8=ACCEPT", ImapExtension::kUtf8Accept}};
  bool had_condstore = enabled_.condstore();
  std::string enabled;
  for (const auto& arg : command.args) {
    if (!arg.is_atom()) return finish(command, imap_reply::syntax("ENABLE takes atoms"));
    // RFC 5161 3.1: unknown names are ignored.
    for (const auto& k : kKnown) {
      if (!arg.atom_is(k.name) || enabled_.has(k.extension)) continue;
      enabled_.add(k.extension);
      enabled += " " + arg.text;
    }
  }
  untagged("ENABLED" + enabled);
  // RFC 5161 3.1 lets a server take ENABLE after SELECT (a reconnecting
  // client may send it then); QRESYNC implies CONDSTORE (RFC 7162 3.2.3).
  if (!had_condstore && enabled_.condstore()) report_highest_modseq();
  finish(command, imap_reply::completed("ENABLE"));
}

void ImapSession::enable_condstore() {
  bool had = enabled_.condstore();
  enabled_.add(ImapExtension::kCondstore);
  if (!had) report_highest_modseq();
}

void ImapSession::report_highest_modseq() {
  if (state_ == ImapState::kSelected && selected_)
    untagged(str_cat("OK [HIGHESTMODSEQ ", selected_->folder->highest_modseq(), "] Highest"));
}

void ImapSession::cmd_namespace(const mail::ImapCommand& command) {
  // RFC 2342 5: one personal namespace, no others.
  untagged("NAMESPACE ((\"\" \"/\")) NIL NIL");
  finish(command, imap_reply::completed("NAMESPACE"));
}

// RFC 4978: the OK goes out uncompressed; everything after it, both ways,
// is raw deflate.
void ImapSession::cmd_compress(const mail::ImapCommand& command) {
  if (!command.args[0].atom_is("DEFLATE"))
    return finish(command, imap_reply::syntax("Unknown compression mechanism"));
  if (compress_)
    return finish(command, imap_reply::no("Compression is on already", "COMPRESSIONACTIVE"));
  finish(command, imap_reply::ok("DEFLATE active"));
  compress_ = std::make_unique<DeflateStreams>();
  // Bytes the client sent after the command came after our OK: compressed.
  std::string early = std::move(pending_input_);
  pending_input_.clear();
  if (Status s = compress_->decompress(early, pending_input_); !s) {
    write(format_bye(s.error().message));
    state_ = ImapState::kLogout;
    if (conn_ != nullptr) conn_->close_after_flush();
  }
}

void ImapSession::cmd_idle(const mail::ImapCommand& command) {
  if (state_ == ImapState::kSelected) {
    refresh_selected(true);
    if (state_ == ImapState::kLogout) return;
    if (!selected_->idle && conn_ != nullptr)
      selected_->idle = selected_->shared->subscribe([this] { folder_changed(); });
  }
  idle_tag_ = command.tag;
  input_ = ImapInput::kIdle;
  out_ += "+ idling\r\n";
  flush();
  reader_.expect_raw_line();
}

void ImapSession::idle_done(std::string_view line) {
  input_ = ImapInput::kCommands;
  if (selected_) selected_->idle.reset();
  std::string tag = std::move(idle_tag_);
  if (!iequals(line, "DONE")) {
    return finish_tagged(tag, imap_reply::syntax("Expected DONE"));
  }
  if (state_ == ImapState::kSelected) refresh_selected(true);
  finish_tagged(tag, imap_reply::completed("IDLE"));
}

}  // namespace gm::maa
