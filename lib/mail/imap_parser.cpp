#include "mail/imap_parser.hpp"

#include <algorithm>
#include <charconv>

#include "core/str.hpp"

namespace gm::mail {
namespace {

// RFC 7888 4: LITERAL- allows non-synchronizing literals up to 4096 octets.
constexpr uint64_t kLiteralMinusMax = 4096;
// Enough of a skipped line's end to recognise "~{18446744073709551615+}".
constexpr size_t kSkipTail = kImapMaxLiteralDigits + 4;

bool is_ctl(unsigned char c) {
  return c < 0x20 || c == 0x7f;
}

// RFC 9051 9: tag = 1*<any ASTRING-CHAR except "+">.
bool is_tag_char(unsigned char c) {
  if (is_ctl(c) || c >= 0x80) return false;
  return std::string_view("(){ %*\"\\+").find(char(c)) == std::string_view::npos;
}

bool valid_tag(std::string_view tag) {
  return !tag.empty() && std::all_of(tag.begin(), tag.end(), [](char c) {
    return is_tag_char(static_cast<unsigned char>(c));
  });
}

// Ends an atom outside brackets (atom-specials that can follow an atom).
bool ends_atom(char c) {
  return c == ' ' || c == '(' || c == ')';
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
  }
  return out;
}

bool search_like(std::string_view name) {
  return name == "SEARCH" || name == "SORT" || name == "THREAD";
}

struct LiteralAnnounce {
  uint64_t size = 0;
  bool literal8 = false;
  bool synchronizing = true;
  bool too_many_digits = false;
};

// "{n}", "{n+}", "~{n}", "~{n+}" filling all of `s`.
std::optional<LiteralAnnounce> parse_announce(std::string_view s) {
  LiteralAnnounce a;
  if (!s.empty() && s[0] == '~') {
    a.literal8 = true;
    s.remove_prefix(1);
  }
  if (s.size() < 3 || s.front() != '{' || s.back() != '}') return std::nullopt;
  s = s.substr(1, s.size() - 2);
  if (!s.empty() && s.back() == '+') {
    a.synchronizing = false;
    s.remove_suffix(1);
  }
  if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), a.size);
  if (ec != std::errc() || end != s.data() + s.size()) {
    a.too_many_digits = true;
    a.size = UINT64_MAX;
  }
  return a;
}

// The literal announcement a line ends with, if any.
std::optional<LiteralAnnounce> trailing_announce(std::string_view line) {
  size_t open = line.rfind('{');
  if (open == std::string_view::npos || line.empty() || line.back() != '}') return std::nullopt;
  if (open > 0 && line[open - 1] == '~') --open;
  return parse_announce(line.substr(open));
}

}  // namespace

bool ImapArg::is_nil() const {
  return atom_is("NIL");
}
bool ImapArg::is_string() const {
  return kind == Kind::kQuoted || kind == Kind::kLiteral;
}
bool ImapArg::is_astring() const {
  return is_atom() || is_string();
}
bool ImapArg::atom_is(std::string_view want) const {
  return kind == Kind::kAtom && iequals(text, want);
}

ImapReaderOptions ImapReaderOptions::clamped() const {
  ImapReaderOptions o = *this;
  o.max_line = std::clamp(max_line, kImapMinLine, kImapMaxLineCeiling);
  o.max_search_depth = std::clamp<size_t>(max_search_depth, 1, kImapMaxSearchDepth);
  o.max_list_depth = std::clamp<size_t>(max_list_depth, 1, o.max_search_depth);
  return o;
}

ImapCommandReader::ImapCommandReader(ImapReaderOptions options) : options_(options.clamped()) {
  reset_command();
}

void ImapCommandReader::reset_command() {
  stack_.clear();
  stack_.emplace_back();
  stack_.back().kind = ImapArg::Kind::kList;
  command_ = ImapCommand{};
  have_tag_ = false;
  have_name_ = false;
  max_depth_ = options_.max_list_depth;
  raw_.clear();
  line_.clear();
  pending_literal_.clear();
  sink_ = nullptr;
  buffered_ = 0;
}

bool ImapCommandReader::idle() const {
  return mode_ == Mode::kText && line_.empty() && !have_tag_ && !result_;
}

std::optional<ImapReaderResult> ImapCommandReader::take() {
  auto out = std::move(result_);
  result_.reset();
  return out;
}

size_t ImapCommandReader::feed(std::string_view data) {
  size_t used = 0;
  while (used < data.size() && !result_) {
    std::string_view rest = data.substr(used);
    switch (mode_) {
      case Mode::kText:
        used += feed_text(rest);
        break;
      case Mode::kLiteral:
        used += feed_literal(rest);
        break;
      case Mode::kSkipLine:
        used += feed_skip_line(rest);
        break;
      case Mode::kSkipLiteral:
        used += feed_skip_literal(rest);
        break;
    }
  }
  return used;
}

size_t ImapCommandReader::feed_text(std::string_view data) {
  size_t lf = data.find('\n');
  size_t take = lf == std::string_view::npos ? data.size() : lf + 1;
  if (raw_.size() + line_.size() + take > options_.max_line + 2) {
    // Too long: answer now, drop the rest of the line without keeping it.
    skip_tail_ = line_.substr(line_.size() - std::min(line_.size(), kSkipTail));
    if (!have_tag_) {
      std::string_view tag = std::string_view(line_).substr(0, line_.find(' '));
      if (line_.find(' ') != std::string::npos && valid_tag(tag)) {
        command_.tag = std::string(tag);
        have_tag_ = true;
      }
    }
    fail(ImapErrorKind::kBad, "", "Command line too long");
    mode_ = Mode::kSkipLine;
    return 0;
  }
  line_.append(data.substr(0, take));
  if (lf == std::string_view::npos) return take;
  std::string segment = std::move(line_);
  line_.clear();
  segment.pop_back();
  if (!segment.empty() && segment.back() == '\r') segment.pop_back();
  end_of_segment(segment);
  return take;
}

void ImapCommandReader::end_of_segment(std::string_view segment) {
  if (raw_line_next_) {
    raw_line_next_ = false;
    result_ = ImapRawLine{std::string(segment)};
    reset_command();
    return;
  }
  if (!have_tag_ && segment.empty()) return;  // stray CRLF between commands
  raw_.append(segment);
  if (!parse_segment(segment)) skip_after_error(segment);
}

// Tag and command name (and UID's sub-command) at the start of a command.
bool ImapCommandReader::parse_head(std::string_view s, size_t& pos) {
  size_t end = s.find(' ');
  std::string_view tag = s.substr(0, end);
  if (!valid_tag(tag)) {
    fail(ImapErrorKind::kBad, "", "Invalid tag");
    return false;
  }
  command_.tag = std::string(tag);
  have_tag_ = true;
  auto word = [&](std::string& out) {
    if (end == std::string_view::npos) return false;
    pos = end + 1;
    end = s.find(' ', pos);
    std::string_view w =
        s.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    if (w.empty() || !std::all_of(w.begin(), w.end(), [](char c) {
          return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || c == '.';
        }))
      return false;
    out = upper(w);
    return true;
  };
  if (!word(command_.name)) {
    fail(ImapErrorKind::kBad, "", "Missing or invalid command name");
    return false;
  }
  if (command_.name == "UID") {
    command_.uid = true;
    if (!word(command_.name)) {
      fail(ImapErrorKind::kBad, "", "Missing command after UID");
      return false;
    }
  }
  have_name_ = true;
  if (search_like(command_.name)) max_depth_ = options_.max_search_depth;
  pos = end == std::string_view::npos ? s.size() : end;
  return true;
}

namespace {

// One token of a segment; advances pos. Returns an error text or empty.
struct SegmentCursor {
  std::string_view s;
  size_t pos = 0;
  bool at_end() const { return pos >= s.size(); }
  char peek() const { return s[pos]; }
};

std::string read_quoted(SegmentCursor& c, std::string& out) {
  ++c.pos;  // opening quote
  while (!c.at_end()) {
    char ch = c.s[c.pos++];
    if (ch == '"') return "";
    if (ch == '\\') {
      if (c.at_end() || (c.peek() != '"' && c.peek() != '\\'))
        return "Invalid escape in quoted string";
      out += c.s[c.pos++];
      continue;
    }
    if (ch == '\0' || ch == '\r' || ch == '\n') return "Invalid character in quoted string";
    out += ch;
  }
  return "Unterminated quoted string";
}

// An atom, with "[...]" sections taken whole (spaces, parens and quoted
// strings inside), as in BODY[HEADER.FIELDS (FROM TO)]<0.100>.
std::string read_atom(SegmentCursor& c, std::string& out) {
  size_t start = c.pos;
  int brackets = 0;
  while (!c.at_end()) {
    char ch = c.peek();
    auto uc = static_cast<unsigned char>(ch);
    if (brackets == 0 && ends_atom(ch)) break;
    if (is_ctl(uc)) return "Invalid character in atom";
    if (ch == '"') {
      if (brackets == 0) return "Invalid character in atom";
      std::string ignored;
      if (auto err = read_quoted(c, ignored); !err.empty()) return err;
      continue;
    }
    if (ch == '{' && brackets == 0) return "Invalid character in atom";
    if (ch == '[') ++brackets;
    if (ch == ']' && brackets > 0) --brackets;
    ++c.pos;
  }
  if (brackets != 0) return "Unbalanced brackets";
  out.assign(c.s.substr(start, c.pos - start));
  return "";
}

}  // namespace

bool ImapCommandReader::parse_segment(std::string_view s) {
  SegmentCursor c{s, 0};
  if (!have_name_ && !parse_head(s, c.pos)) return false;
  auto bad = [&](std::string text) {
    fail(ImapErrorKind::kBad, "", std::move(text));
    return false;
  };
  while (!c.at_end()) {
    char ch = c.peek();
    if (ch == ' ') {
      ++c.pos;
      continue;
    }
    if (ch == '(') {
      if (stack_.size() > max_depth_) return bad("Too deeply nested");
      ++c.pos;
      stack_.emplace_back();
      stack_.back().kind = ImapArg::Kind::kList;
      continue;
    }
    if (ch == ')') {
      if (stack_.size() == 1) return bad("Unbalanced parentheses");
      ++c.pos;
      ImapArg list = std::move(stack_.back());
      stack_.pop_back();
      stack_.back().list.push_back(std::move(list));
      continue;
    }
    if (ch == '{' || (ch == '~' && c.pos + 1 < s.size() && s[c.pos + 1] == '{')) {
      auto a = parse_announce(s.substr(c.pos));
      if (!a) return bad("Invalid literal");
      announce_literal(a->size, a->literal8, a->synchronizing);
      return true;
    }
    ImapArg arg;
    std::string err;
    if (ch == '"') {
      arg.kind = ImapArg::Kind::kQuoted;
      err = read_quoted(c, arg.text);
    } else {
      err = read_atom(c, arg.text);
    }
    if (!err.empty()) return bad(std::move(err));
    stack_.back().list.push_back(std::move(arg));
  }
  if (stack_.size() != 1) return bad("Unbalanced parentheses");
  complete_command();
  return true;
}

void ImapCommandReader::complete_command() {
  command_.args = std::move(stack_.front().list);
  command_.raw = std::move(raw_);
  result_ = std::move(command_);
  reset_command();
}

void ImapCommandReader::fail(ImapErrorKind kind, std::string code, std::string text) {
  ImapSyntaxError e{have_tag_ ? command_.tag : std::string(), kind, std::move(code),
                    std::move(text)};
  result_ = std::move(e);
  raw_line_next_ = false;  // a SASL line that broke ends the exchange
  reset_command();
}

// After an error the rest of the command goes unread: a non-synchronizing
// literal announced at the end of the broken line is skipped with its data,
// then the line after it, and so on. A synchronizing one is never sent.
void ImapCommandReader::skip_after_error(std::string_view segment_tail) {
  auto a = trailing_announce(segment_tail);
  if (a && !a->synchronizing) {
    literal_left_ = a->size;
    mode_ = Mode::kSkipLiteral;
  } else {
    mode_ = Mode::kText;
  }
}

void ImapCommandReader::announce_literal(uint64_t size, bool literal8, bool synchronizing) {
  bool too_big = size > options_.max_literal ||
                 (!synchronizing && options_.literal_minus && size > kLiteralMinusMax);
  ImapLiteralSink* sink = nullptr;
  if (!too_big && literal_hook_) {
    ImapLiteralAnnounce announce{
        command_.tag,      command_.name, command_.uid, stack_.front().list,
        stack_.size() > 1, size,          literal8,     synchronizing};
    sink = literal_hook_(announce);
  }
  if (!too_big && !sink && buffered_ + size > options_.max_buffered_literals) too_big = true;
  if (too_big) {
    // RFC 7888 4 and RFC 7889: APPEND over APPENDLIMIT is NO [TOOBIG]; any
    // other literal the server will not take is BAD [TOOBIG].
    bool append = command_.name == "APPEND" && synchronizing;
    fail(append ? ImapErrorKind::kNo : ImapErrorKind::kBad, "TOOBIG", "Literal too big");
    if (!synchronizing) {
      literal_left_ = size;
      mode_ = Mode::kSkipLiteral;
    }
    return;
  }
  sink_ = sink;
  literal_left_ = size;
  literal_size_ = size;
  literal8_ = literal8;
  if (!sink_) {
    buffered_ += size;
    pending_literal_.clear();
  }
  mode_ = Mode::kLiteral;
  if (synchronizing && continuation_) continuation_();
  if (size == 0) finish_literal();
}

size_t ImapCommandReader::feed_literal(std::string_view data) {
  size_t take = size_t(std::min<uint64_t>(literal_left_, data.size()));
  if (sink_) {
    sink_->write(data.substr(0, take));
  } else {
    pending_literal_.append(data.substr(0, take));
  }
  literal_left_ -= take;
  if (literal_left_ == 0) finish_literal();
  return take;
}

void ImapCommandReader::finish_literal() {
  ImapArg arg;
  arg.kind = sink_ ? ImapArg::Kind::kStreamedLiteral : ImapArg::Kind::kLiteral;
  arg.literal_size = literal_size_;
  arg.literal8 = literal8_;
  if (!sink_) arg.text = std::move(pending_literal_);
  pending_literal_.clear();
  sink_ = nullptr;
  stack_.back().list.push_back(std::move(arg));
  mode_ = Mode::kText;
}

size_t ImapCommandReader::feed_skip_line(std::string_view data) {
  size_t lf = data.find('\n');
  std::string_view part = data.substr(0, lf);
  skip_tail_.append(part.substr(part.size() - std::min(part.size(), kSkipTail)));
  if (skip_tail_.size() > kSkipTail) skip_tail_.erase(0, skip_tail_.size() - kSkipTail);
  if (lf == std::string_view::npos) return data.size();
  std::string tail = std::move(skip_tail_);
  skip_tail_.clear();
  if (!tail.empty() && tail.back() == '\r') tail.pop_back();
  skip_after_error(tail);
  return lf + 1;
}

size_t ImapCommandReader::feed_skip_literal(std::string_view data) {
  size_t take = size_t(std::min<uint64_t>(literal_left_, data.size()));
  literal_left_ -= take;
  if (literal_left_ == 0) mode_ = Mode::kSkipLine;
  return take;
}

}  // namespace gm::mail
