// Fuzzes mda's LMTP command dispatcher in every state and qmgr's LMTP reply
// parser: no input may crash them; a dispatched command is one of the table's
// rows and allowed in its state; a finished reply has a code 200..599.
// Links against libgm plus mda/lmtp_command.cpp and mta/qmgr/lmtp_client.cpp.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lmtp_client.hpp"
#include "lmtp_command.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  using gm::mda::LmtpState;
  for (LmtpState state : {LmtpState::kGreeted, LmtpState::kReady, LmtpState::kMailFrom,
                          LmtpState::kRcptTo, LmtpState::kData, LmtpState::kBusy}) {
    auto result = gm::mda::dispatch_lmtp(input, state);
    if (auto* command = std::get_if<gm::mda::LmtpCommand>(&result)) {
      if ((command->spec->states & gm::mda::lmtp_bit(state)) == 0) std::abort();
      if (command->argument.size() > input.size()) std::abort();
    } else if (std::get<gm::mail::SmtpReply>(result).code < 500) {
      std::abort();
    }
  }
  gm::qmgr::LmtpReplyParser parser;
  size_t start = 0;
  while (start <= input.size()) {
    size_t lf = input.find('\n', start);
    std::string_view line = input.substr(start, lf == std::string_view::npos ? lf : lf - start);
    if (!parser.feed(line).ok() || parser.done()) break;
    if (lf == std::string_view::npos) break;
    start = lf + 1;
  }
  if (parser.done() && (parser.reply().code < 200 || parser.reply().code > 599)) std::abort();
  return 0;
}
