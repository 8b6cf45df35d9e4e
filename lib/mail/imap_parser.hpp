// ImapCommandReader: the IMAP client-command tokenizer (RFC 9051 2.2, 4;
// RFC 3501; RFC 7888 LITERAL+/LITERAL-; RFC 3516 literal8). Bytes go in as
// they arrive from the network, in pieces of any size; whole commands come
// out as a tag, an upper-cased command name and a tree of arguments, or as a
// syntax error naming the tag when it is known. After an error the reader
// skips to the end of that command (literal data included, never buffered)
// and goes on with the next one.
//
// Memory is bounded: command text (without literal data) is at most
// kImapMaxLine octets, lists nest at most kImapMaxListDepth deep
// (kImapMaxSearchDepth for SEARCH-like commands), a literal is at most
// `max_literal` octets and literals kept in memory at most
// `max_buffered_literals` octets per command. A bigger literal - the
// message of an APPEND - goes in chunks to a sink the session supplies
// through the literal hook, so a 50 MiB message never costs 50 MiB.
// Pure (no I/O), for the unit tests and the fuzzer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace gm::mail {

// Command text without literal data; like Dovecot's imap_max_line_length.
// The default of ImapReaderOptions::max_line (gm.conf imap_max_line_length);
// a configured value is kept between kImapMinLine and kImapMaxLineCeiling.
inline constexpr size_t kImapMaxLine = 64 * 1024;
inline constexpr size_t kImapMinLine = 1024;
inline constexpr size_t kImapMaxLineCeiling = 1024 * 1024;
// Parenthesised lists in ordinary commands (FETCH, STORE, STATUS, ...):
// the default of max_list_depth (imap_max_nesting), at most kImapMaxSearchDepth.
inline constexpr size_t kImapMaxListDepth = 100;
// SEARCH/UID SEARCH/SORT/THREAD keys nest deeper (imap_search.hpp): the
// default and the ceiling of max_search_depth (imap_max_search_nesting).
inline constexpr size_t kImapMaxSearchDepth = 1000;
// APPENDLIMIT (RFC 7889) unless the configuration says otherwise.
inline constexpr uint64_t kImapDefaultMaxLiteral = 50ull * 1024 * 1024;
// Literal data kept in memory for one command when no sink takes it
// (LOGIN passwords, SEARCH strings, small APPENDs without a hook).
inline constexpr uint64_t kImapDefaultMaxBufferedLiterals = 1024 * 1024;
// Digits in a literal's octet count: more can only be a lie (2^64 has 20).
inline constexpr size_t kImapMaxLiteralDigits = 20;

struct ImapArg {
  enum class Kind : uint8_t {
    kAtom,             // includes NIL, numbers, flags (\Seen), sequence sets,
                       // and section specs: BODY[HEADER.FIELDS (A B)]<0.10>
    kQuoted,           // "..." with \" and \\ undone
    kLiteral,          // {n} {n+} ~{n}: the bytes are in text
    kStreamedLiteral,  // the bytes went to an ImapLiteralSink; size only
    kList,             // ( ... )
  };
  Kind kind = Kind::kAtom;
  std::string text;           // atom, string or literal bytes
  std::vector<ImapArg> list;  // kList
  uint64_t literal_size = 0;  // kLiteral, kStreamedLiteral
  bool literal8 = false;      // ~{n} (RFC 3516): may carry NUL octets

  bool is_atom() const { return kind == Kind::kAtom; }
  bool is_list() const { return kind == Kind::kList; }
  bool is_nil() const;                         // the atom NIL
  bool is_string() const;                      // quoted or literal (in memory)
  bool is_astring() const;                     // atom, quoted or literal
  bool atom_is(std::string_view upper) const;  // case-insensitive atom compare
};

struct ImapCommand {
  std::string tag;
  std::string name;  // upper case; for "UID FETCH" this is "FETCH"
  bool uid = false;  // the command came as "UID <name>"
  std::vector<ImapArg> args;
  std::string raw;  // command text without literal data, for logs
};

enum class ImapErrorKind : uint8_t { kBad, kNo };

// The tagged answer to a command that could not be read; tag is empty when
// the line broke before a valid tag ("* BAD" then).
struct ImapSyntaxError {
  std::string tag;
  ImapErrorKind kind = ImapErrorKind::kBad;
  std::string code;  // response code without brackets: "TOOBIG" or ""
  std::string text;
};

// One line of raw text (AUTHENTICATE responses, IDLE's DONE) when the
// session asked for it with expect_raw_line(); no CRLF.
struct ImapRawLine {
  std::string text;
};

using ImapReaderResult = std::variant<ImapCommand, ImapSyntaxError, ImapRawLine>;

// Where the session puts a big literal (APPEND). write() gets the data in
// order, in chunks; the session notes its own failures (disk full) and
// reports them when the command completes.
class ImapLiteralSink {
 public:
  virtual ~ImapLiteralSink() = default;
  virtual void write(std::string_view chunk) = 0;
};

struct ImapLiteralAnnounce {
  std::string_view tag;
  std::string_view name;          // upper case, as in ImapCommand
  bool uid = false;
  std::span<const ImapArg> args;  // the top-level arguments before it
  bool nested = false;            // the literal is inside a list
  uint64_t size = 0;
  bool literal8 = false;
  bool synchronizing = true;
};

// The session's hook: return a sink (owned by the session, alive until the
// command is taken) to stream this literal, or nullptr to keep it in memory.
// If the command then ends in an ImapSyntaxError, the session throws away
// what its sink received.
using ImapLiteralHook = std::function<ImapLiteralSink*(const ImapLiteralAnnounce&)>;

struct ImapReaderOptions {
  uint64_t max_literal = kImapDefaultMaxLiteral;
  uint64_t max_buffered_literals = kImapDefaultMaxBufferedLiterals;
  // RFC 7888 LITERAL-: non-synchronizing literals only up to 4096 octets.
  bool literal_minus = false;
  size_t max_line = kImapMaxLine;
  size_t max_list_depth = kImapMaxListDepth;
  size_t max_search_depth = kImapMaxSearchDepth;
  // The configured limits kept within the bounds above.
  ImapReaderOptions clamped() const;
};

class ImapCommandReader {
 public:
  explicit ImapCommandReader(ImapReaderOptions options = {});

  // Called when a synchronizing literal was accepted: the session sends
  // "+ Ready" (its reply builder) and the client then sends the data.
  void on_continuation(std::function<void()> callback) { continuation_ = std::move(callback); }
  void on_literal(ImapLiteralHook hook) { literal_hook_ = std::move(hook); }
  void set_max_literal(uint64_t octets) { options_.max_literal = octets; }

  // Consumes bytes from `data` and returns how many it used. It stops right
  // after a result is complete, so the caller takes one result at a time:
  //   while (!in.empty()) { in.remove_prefix(r.feed(in)); while (auto x = r.take()) ...; }
  size_t feed(std::string_view data);
  std::optional<ImapReaderResult> take();

  // The next line is returned whole as ImapRawLine (SASL, IDLE).
  void expect_raw_line() { raw_line_next_ = true; }

  // True between commands (no partial command buffered): for LOGOUT/STARTTLS
  // checks that the client sent nothing after the command.
  bool idle() const;

 private:
  enum class Mode : uint8_t { kText, kLiteral, kSkipLine, kSkipLiteral };

  size_t feed_text(std::string_view data);
  size_t feed_literal(std::string_view data);
  size_t feed_skip_line(std::string_view data);
  size_t feed_skip_literal(std::string_view data);
  void end_of_segment(std::string_view segment);
  bool parse_segment(std::string_view segment);
  bool parse_head(std::string_view segment, size_t& pos);
  void announce_literal(uint64_t size, bool literal8, bool synchronizing);
  void finish_literal();
  void complete_command();
  void fail(ImapErrorKind kind, std::string code, std::string text);
  void skip_after_error(std::string_view segment_tail);
  void reset_command();

  ImapReaderOptions options_;
  std::function<void()> continuation_;
  ImapLiteralHook literal_hook_;
  Mode mode_ = Mode::kText;
  bool raw_line_next_ = false;
  std::string line_;             // current line's text (since the last literal)
  std::string raw_;              // command text so far (for ImapCommand::raw)
  std::string pending_literal_;  // literal bytes being collected
  ImapLiteralSink* sink_ = nullptr;
  uint64_t literal_left_ = 0;
  uint64_t literal_size_ = 0;
  bool literal8_ = false;
  uint64_t buffered_ = 0;  // literal octets kept for this command
  std::string skip_tail_;  // last octets of a skipped line, to see {n+}
  std::optional<ImapReaderResult> result_;

  // Parse state of the current command, kept across literals.
  std::vector<ImapArg> stack_;  // open lists; stack_.front() is the top level
  ImapCommand command_;
  bool have_tag_ = false;
  bool have_name_ = false;
  size_t max_depth_ = kImapMaxListDepth;  // options_'s, for the command being read
};

}  // namespace gm::mail
