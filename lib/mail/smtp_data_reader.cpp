#include "mail/smtp_data_reader.hpp"

#include <cstring>

namespace gm::mail {
namespace {

constexpr size_t kNotSearched = std::string_view::npos;

// The first CR or LF at or after `from`, or input.size(). `next_cr` is a
// CR search's answer kept across calls (the first CR at or after some
// earlier position; input.size() when there is none; kNotSearched at
// first), so each part of the input is searched for CR once and for LF
// once: memchr speed, and linear even for many bare LFs and no CR.
size_t next_line_break(std::string_view input, size_t from, size_t& next_cr) {
  if (next_cr == kNotSearched || next_cr < from) {
    const void* cr = std::memchr(input.data() + from, '\r', input.size() - from);
    next_cr = cr ? static_cast<size_t>(static_cast<const char*>(cr) - input.data()) : input.size();
  }
  const void* lf = std::memchr(input.data() + from, '\n', next_cr - from);
  return lf ? static_cast<size_t>(static_cast<const char*>(lf) - input.data()) : next_cr;
}

}  // namespace

void SmtpDataReader::emit(std::string_view bytes, std::string& content) {
  uint64_t before = size_;
  size_ += bytes.size();
  // A message already rejected for a bare line ending is only counted.
  if (bare_ && mode_ == BareLineEnding::kReject) return;
  if (before >= max_size_) return;
  uint64_t room = max_size_ - before;
  content.append(bytes.substr(0, room < bytes.size() ? room : bytes.size()));
}

void SmtpDataReader::bare(std::string& content) {
  bare_ = true;
  if (mode_ == BareLineEnding::kNormalize) emit("\r\n", content);
}

// One byte; see the header for the states. A CR is held until the next
// byte shows whether it starts a CRLF.
SmtpDataReader::State SmtpDataReader::step(State state, char c, std::string& content) {
  switch (state) {
    case State::kStart:
    case State::kSoftStart:
      if (c == '.') return state == State::kStart ? State::kDot : State::kSoftDot;
      [[fallthrough]];
    case State::kText:
      if (c == '\r') return State::kCr;
      if (c == '\n') {
        bare(content);
        return State::kSoftStart;
      }
      emit(std::string_view(&c, 1), content);
      return State::kText;
    case State::kDot:
    case State::kSoftDot:
      if (c == '\r') return state == State::kDot ? State::kDotCr : State::kSoftDotCr;
      if (c == '\n') {  // <CRLF>.<LF>: a "." line, never the end
        emit(".", content);
        bare(content);
        return State::kSoftStart;
      }
      // RFC 5321 4.5.2: the first "." of a line with more after it is removed.
      emit(std::string_view(&c, 1), content);
      return State::kText;
    case State::kDotCr:
      if (c == '\n') return State::kDone;
      [[fallthrough]];
    case State::kSoftDotCr:
      if (c == '\n') {  // <LF>.<CRLF>: stored as a "." line, not the end
        emit(".\r\n", content);
        return State::kStart;
      }
      emit(".", content);
      bare(content);  // ".<CR>x": the CR was bare
      return step(State::kSoftStart, c, content);
    case State::kCr:
      if (c == '\n') {
        emit("\r\n", content);
        return State::kStart;
      }
      bare(content);
      return step(State::kSoftStart, c, content);
    case State::kDone:
      break;
  }
  return State::kDone;
}

size_t SmtpDataReader::feed(std::string_view input, std::string& content) {
  size_t i = 0;
  size_t next_cr = kNotSearched;
  while (i < input.size() && state_ != State::kDone) {
    if (state_ == State::kText) {
      // Fast path: copy a run of ordinary bytes at once.
      size_t end = next_line_break(input, i, next_cr);
      if (end > i) {
        emit(input.substr(i, end - i), content);
        i = end;
        continue;
      }
    }
    state_ = step(state_, input[i], content);
    ++i;
  }
  return i;
}

}  // namespace gm::mail
