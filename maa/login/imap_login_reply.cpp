#include "imap_login_reply.hpp"

#include "core/str.hpp"

namespace gm::maa {
namespace {

std::string tag_or_star(std::string_view tag) {
  return tag.empty() ? std::string("*") : std::string(tag);
}

}  // namespace

std::string imap_greeting(std::string_view capabilities) {
  return str_cat("* OK [CAPABILITY ", capabilities, "] GoodMessaging ready");
}
std::string imap_ok(std::string_view tag, std::string_view text) {
  return str_cat(tag, " OK ", text);
}
std::string imap_ok_code(std::string_view tag, std::string_view code, std::string_view text) {
  return str_cat(tag, " OK [", code, "] ", text);
}
std::string imap_no(std::string_view tag, std::string_view code, std::string_view text) {
  return code.empty() ? str_cat(tag_or_star(tag), " NO ", text)
                      : str_cat(tag_or_star(tag), " NO [", code, "] ", text);
}
std::string imap_bad(std::string_view tag, std::string_view text) {
  return str_cat(tag_or_star(tag), " BAD ", text);
}
std::string imap_bye(std::string_view text) {
  return str_cat("* BYE ", text);
}
std::string imap_untagged(std::string_view text) {
  return str_cat("* ", text);
}
std::string imap_continue(std::string_view text) {
  return str_cat("+ ", text);
}

std::string imap_auth_failed(std::string_view tag) {
  return imap_no(tag, "AUTHENTICATIONFAILED", "Authentication failed");
}
std::string imap_auth_unavailable(std::string_view tag) {
  return imap_no(tag, "UNAVAILABLE", "Authentication service unavailable, try again later");
}
std::string imap_privacy_required(std::string_view tag) {
  return imap_no(tag, "PRIVACYREQUIRED", "Use STARTTLS first");
}
std::string imap_logged_in(std::string_view tag, std::string_view capabilities) {
  return imap_ok_code(tag, str_cat("CAPABILITY ", capabilities), "Logged in");
}

}  // namespace gm::maa
