#include "mail/header_address.hpp"

#include "core/str.hpp"

namespace gm::mail {
namespace {

// RFC 5322 3.2: a field body is a sequence of atoms, quoted strings, domain
// literals and specials, with CFWS (whitespace and comments) between them.
struct Token {
  enum Kind { kAtom, kQuoted, kLiteral, kSpecial } kind;
  std::string text;  // quoted strings without quotes and escapes
  bool space_before = false;

  bool is(char c) const { return kind == kSpecial && text[0] == c; }
  bool is_word() const { return kind == kAtom || kind == kQuoted; }
};

Error bad(std::string_view why) {
  return make_error(str_cat("bad address field: ", why));
}

bool is_special(unsigned char c) {
  return std::string_view("()<>[]:;@\\,.\"").find(static_cast<char>(c)) != std::string_view::npos;
}
bool is_wsp(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  Result<std::vector<Token>> run() {
    std::vector<Token> out;
    for (;;) {
      auto spaced = skip_cfws();
      if (!spaced) return spaced.error();
      if (i_ == s_.size()) return out;
      auto token = next();
      if (!token) return token.error();
      token->space_before = *spaced;
      out.push_back(std::move(*token));
    }
  }

 private:
  // Returns whether anything was skipped.
  Result<bool> skip_cfws() {
    size_t start = i_;
    while (i_ < s_.size()) {
      if (is_wsp(static_cast<unsigned char>(s_[i_]))) {
        ++i_;
      } else if (s_[i_] == '(') {
        if (auto status = skip_comment(); !status) return status.error();
      } else {
        break;
      }
    }
    return i_ != start;
  }

  Status skip_comment() {
    size_t depth = 0;
    for (; i_ < s_.size(); ++i_) {
      char c = s_[i_];
      if (c == '\\') {
        ++i_;
      } else if (c == '(') {
        if (++depth > kMaxCommentDepth) return bad("comments nested too deeply");
      } else if (c == ')' && --depth == 0) {
        ++i_;
        return {};
      }
    }
    return bad("unterminated comment");
  }

  Result<Token> next() {
    unsigned char c = static_cast<unsigned char>(s_[i_]);
    if (c == '"') return quoted();
    if (c == '[') return literal();
    if (c == ')' || c == '\\' || c == ']') return bad("stray special character");
    if (is_special(c)) return Token{Token::kSpecial, std::string(1, s_[i_++])};
    size_t start = i_;
    while (i_ < s_.size()) {
      unsigned char d = static_cast<unsigned char>(s_[i_]);
      if (is_special(d) || is_wsp(d)) break;
      if (d < 0x20 || d == 0x7f) return bad("control character");
      ++i_;
    }
    return Token{Token::kAtom, std::string(s_.substr(start, i_ - start))};
  }

  Result<Token> quoted() {
    std::string text;
    for (++i_; i_ < s_.size(); ++i_) {
      char c = s_[i_];
      if (c == '"') {
        ++i_;
        return Token{Token::kQuoted, std::move(text)};
      }
      if (c == '\\' && ++i_ == s_.size()) break;
      if (s_[i_] == '\r' || s_[i_] == '\n') continue;  // folding inside quotes
      text.push_back(s_[i_]);
    }
    return bad("unterminated quoted string");
  }

  Result<Token> literal() {
    size_t start = i_;
    for (++i_; i_ < s_.size(); ++i_) {
      if (s_[i_] == '\\')
        ++i_;  // obs-dtext quoted-pair
      else if (s_[i_] == '[')
        break;
      else if (s_[i_] == ']')
        return Token{Token::kLiteral, std::string(s_.substr(start, ++i_ - start))};
    }
    return bad("unterminated domain literal");
  }

  std::string_view s_;
  size_t i_ = 0;
};

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  Result<std::vector<HeaderAddress>> address_list(bool groups_allowed) {
    std::vector<HeaderAddress> out;
    for (;;) {
      while (at(',')) ++i_;  // obs-addr-list: empty elements
      if (done()) return out;
      auto address = this->address(groups_allowed);
      if (!address) return address.error();
      count_ += address->mailboxes.size();
      if (count_ > kMaxHeaderAddresses) return bad("too many addresses");
      out.push_back(std::move(*address));
      if (!done() && !at(',')) return bad("expected , between addresses");
    }
  }

 private:
  bool done() const { return i_ == t_.size(); }
  bool at(char c) const { return !done() && t_[i_].is(c); }

  // phrase / obs-phrase: words and dots; also the start of an addr-spec.
  std::vector<const Token*> phrase() {
    std::vector<const Token*> out;
    while (!done() && (t_[i_].is_word() || t_[i_].is('.'))) out.push_back(&t_[i_++]);
    return out;
  }

  static std::string join_phrase(const std::vector<const Token*>& words) {
    std::string out;
    for (const Token* w : words) {
      if (!out.empty() && w->space_before) out += ' ';
      out += w->text;
    }
    return out;
  }

  Result<HeaderAddress> address(bool groups_allowed) {
    size_t start = i_;
    auto words = phrase();
    if (at(':')) {
      if (!groups_allowed) return bad("group not allowed here");
      if (words.empty()) return bad("group without a name");
      ++i_;
      return group(join_phrase(words));
    }
    if (at('<')) {
      auto mailbox = angle_addr(join_phrase(words));
      if (!mailbox) return mailbox.error();
      return HeaderAddress{false, {}, {std::move(*mailbox)}};
    }
    i_ = start;  // no display name: the words were a local part
    auto mailbox = addr_spec();
    if (!mailbox) return mailbox.error();
    return HeaderAddress{false, {}, {std::move(*mailbox)}};
  }

  Result<HeaderAddress> group(std::string name) {
    HeaderAddress out{true, std::move(name), {}};
    for (;;) {
      while (at(',')) ++i_;
      if (at(';')) {
        ++i_;
        return out;
      }
      if (done()) return bad("group without ;");
      auto inner = address(false);
      if (!inner) return inner.error();
      out.mailboxes.push_back(std::move(inner->mailboxes.front()));
      if (!at(',') && !at(';')) return bad("expected , or ; in group");
    }
  }

  Result<HeaderMailbox> angle_addr(std::string display_name) {
    ++i_;           // '<'
    if (at('@')) {  // obs-route: @a,@b: ignored
      while (!done() && !at(':')) ++i_;
      if (done()) return bad("bad route in angle address");
      ++i_;
    }
    auto mailbox = addr_spec();
    if (!mailbox) return mailbox.error();
    if (!at('>')) return bad("expected >");
    ++i_;
    mailbox->display_name = std::move(display_name);
    return mailbox;
  }

  // addr-spec = local-part "@" domain, local-part = word *("." word)
  Result<HeaderMailbox> addr_spec() {
    HeaderMailbox out;
    for (;;) {
      if (done() || !t_[i_].is_word()) return bad("expected a local part");
      out.local_part += t_[i_++].text;
      if (!at('.')) break;
      out.local_part += '.';
      ++i_;
    }
    if (!at('@')) return bad("address without @domain");
    ++i_;
    if (!done() && t_[i_].kind == Token::kLiteral) {
      out.domain = t_[i_++].text;
      return out;
    }
    for (;;) {
      if (done() || t_[i_].kind != Token::kAtom) return bad("expected a domain");
      out.domain += t_[i_++].text;
      if (!at('.')) return out;
      out.domain += '.';
      ++i_;
    }
  }

  std::vector<Token> t_;
  size_t i_ = 0;
  size_t count_ = 0;
};

Result<std::vector<HeaderAddress>> parse(std::string_view field_body, bool groups_allowed) {
  if (field_body.size() > kMaxAddressFieldLength) return bad("field too long");
  auto tokens = Lexer(field_body).run();
  if (!tokens) return tokens.error();
  return Parser(std::move(*tokens)).address_list(groups_allowed);
}

}  // namespace

Result<std::vector<HeaderAddress>> parse_address_list(std::string_view field_body) {
  return parse(field_body, true);
}

Result<std::vector<HeaderMailbox>> parse_mailbox_list(std::string_view field_body) {
  auto list = parse(field_body, false);
  if (!list) return list.error();
  return flatten(*list);
}

std::vector<HeaderMailbox> flatten(const std::vector<HeaderAddress>& addresses) {
  std::vector<HeaderMailbox> out;
  for (const auto& address : addresses)
    out.insert(out.end(), address.mailboxes.begin(), address.mailboxes.end());
  return out;
}

}  // namespace gm::mail
