#include "mail/postdrop_stream.hpp"

#include "core/str.hpp"
#include "mail/smtp_path.hpp"

namespace gm::mail {
namespace {

constexpr size_t kReadSize = 64 << 10;

Error ended_early() {
  return make_error("input ended before the end of the message", 66);
}

Result<std::string> checked_address(std::string_view text) {
  auto mailbox = parse_mailbox(text, true);
  if (!mailbox)
    return make_error(str_cat("bad address ", printable(text, 80), ": ", mailbox.error().message),
                      65);
  return std::string(text);
}

}  // namespace

Status PostdropReader::fill() {
  if (eof_) return ended_early();
  if (pos_ > 0) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  size_t old = buffer_.size();
  buffer_.resize(old + kReadSize);
  auto got = source_(buffer_.data() + old, kReadSize);
  if (!got) {
    buffer_.resize(old);
    return got.error();
  }
  buffer_.resize(old + *got);
  if (*got == 0) eof_ = true;
  return {};
}

Result<std::string> PostdropReader::read_line() {
  for (;;) {
    size_t newline = buffer_.find('\n', pos_);
    if (newline != std::string::npos) {
      if (newline - pos_ > kMaxPostdropLine) return make_error("envelope line too long", 65);
      std::string line = buffer_.substr(pos_, newline - pos_);
      pos_ = newline + 1;
      return line;
    }
    if (buffer_.size() - pos_ > kMaxPostdropLine) return make_error("envelope line too long", 65);
    if (eof_) return ended_early();
    if (auto status = fill(); !status) return status.error();
  }
}

Result<PostdropEnvelope> PostdropReader::read_envelope() {
  PostdropEnvelope envelope;
  bool have_sender = false;
  for (;;) {
    auto line = read_line();
    if (!line) return line.error();
    if (line->empty()) break;
    std::string_view text = *line;
    if (text.starts_with("S ") && !have_sender) {
      have_sender = true;
      if (text.size() > 2) {
        auto address = checked_address(text.substr(2));
        if (!address) return address.error();
        envelope.sender = std::move(*address);
      }
    } else if (text.starts_with("R ")) {
      if (envelope.recipients.size() >= kMaxPostdropRecipients)
        return make_error("too many recipients", 65);
      auto address = checked_address(text.substr(2));
      if (!address) return address.error();
      envelope.recipients.push_back(std::move(*address));
    } else {
      return make_error(str_cat("bad envelope line ", printable(text, 80)), 65);
    }
  }
  if (!have_sender) return make_error("no sender in the envelope", 65);
  if (envelope.recipients.empty()) return make_error("no recipients", 64);
  return envelope;
}

Status PostdropReader::read_content(const std::function<Status(std::string_view)>& sink) {
  for (;;) {
    auto line = read_line();
    if (!line) return line.error();
    auto length = parse_number<size_t>(*line);
    if (!length || *length > kMaxPostdropChunk)
      return make_error(str_cat("bad chunk length ", printable(*line, 40)), 65);
    if (*length == 0) return {};
    while (buffer_.size() - pos_ < *length)
      if (auto status = fill(); !status) return status;
    if (auto status = sink(std::string_view(buffer_).substr(pos_, *length)); !status) return status;
    pos_ += *length;
  }
}

std::string encode_postdrop_envelope(const PostdropEnvelope& envelope) {
  std::string out = str_cat("S ", envelope.sender, "\n");
  for (const std::string& recipient : envelope.recipients) out += str_cat("R ", recipient, "\n");
  return out + "\n";
}

std::string encode_postdrop_chunk_header(size_t length) {
  return str_cat(length, "\n");
}

}  // namespace gm::mail
