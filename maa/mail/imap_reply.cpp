#include "imap_reply.hpp"

namespace gm::maa {

namespace {

constexpr std::string_view kStatusWords[] = {"OK", "NO", "BAD"};
// RFC 9051 does not cap a line; we keep our own texts short and cut
// client-supplied echoes to this.
constexpr size_t kMaxReplyText = 400;

void append_clean(std::string& out, std::string_view text) {
  for (char c : text.substr(0, kMaxReplyText)) {
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  }
}

}  // namespace

std::string format_reply(std::string_view tag, const ImapReply& reply) {
  std::string out;
  out.reserve(tag.size() + reply.code.size() + reply.text.size() + 12);
  out.append(tag).append(" ").append(kStatusWords[static_cast<int>(reply.status)]).append(" ");
  if (!reply.code.empty()) {
    out += '[';
    append_clean(out, reply.code);
    out += "] ";
  }
  append_clean(out, reply.text.empty() ? std::string_view("done") : reply.text);
  out += "\r\n";
  return out;
}

std::string format_bye(std::string_view text) {
  std::string out = "* BYE ";
  append_clean(out, text);
  out += "\r\n";
  return out;
}

namespace imap_reply {

ImapReply ok(std::string text, std::string code) {
  return {ImapStatus::kOk, std::move(code), std::move(text)};
}
ImapReply no(std::string text, std::string code) {
  return {ImapStatus::kNo, std::move(code), std::move(text)};
}
ImapReply bad(std::string text, std::string code) {
  return {ImapStatus::kBad, std::move(code), std::move(text)};
}
ImapReply completed(std::string_view command) {
  return ok(std::string(command) + " completed");
}
ImapReply wrong_state(std::string_view command, std::string_view state) {
  return bad(std::string(command) + " not allowed in the " + std::string(state) + " state",
             "CLIENTBUG");
}
ImapReply unknown_command(std::string_view name) {
  return bad("Unknown command " + std::string(name));
}
ImapReply syntax(std::string text) {
  return bad(std::move(text));
}
ImapReply nonexistent(std::string_view mailbox_kind) {
  return no(std::string(mailbox_kind) + " does not exist", "NONEXISTENT");
}
ImapReply try_create() {
  return no("Mailbox does not exist", "TRYCREATE");
}
ImapReply already_exists() {
  return no("Mailbox already exists", "ALREADYEXISTS");
}
ImapReply cannot(std::string text) {
  return no(std::move(text), "CANNOT");
}
ImapReply limit(std::string text) {
  return no(std::move(text), "LIMIT");
}
ImapReply over_quota() {
  return no("Quota exceeded", "OVERQUOTA");
}
ImapReply too_big(std::string text) {
  return no(std::move(text), "TOOBIG");
}
ImapReply server_bug(std::string text) {
  return no(std::move(text), "SERVERBUG");
}
ImapReply expunge_issued() {
  return ok("Some messages were expunged meanwhile", "EXPUNGEISSUED");
}
ImapReply bad_charset() {
  return no("Unsupported charset", "BADCHARSET (UTF-8 US-ASCII)");
}

}  // namespace imap_reply

}  // namespace gm::maa
