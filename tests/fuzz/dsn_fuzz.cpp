// Fuzzes qmgr's DSN composer (RFC 3464) with hostile field values (they come
// from envelopes and remote replies): the notification's header and report
// text must never hold a bare CR or LF, so no value can add a header field
// or a MIME part; status_of_reply() must return a well-formed code.
// Links against libgm plus mta/qmgr/dsn.cpp.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "dsn.hpp"

namespace {

void check_lines(const std::string& text) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\0') std::abort();
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) std::abort();
    if (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n')) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> fields;
  size_t start = 0;
  while (fields.size() < 8) {
    size_t sep = input.find('\0', start);
    fields.emplace_back(input.substr(start, sep == std::string_view::npos ? sep : sep - start));
    if (sep == std::string_view::npos) break;
    start = sep + 1;
  }
  fields.resize(8);
  gm::qmgr::DsnInput in;
  in.reporting_mta = fields[0];
  in.envid = fields[1];
  in.original_sender = fields[2];
  in.boundary = fields[3];
  in.queue_id = fields[3];
  in.arrival_time = static_cast<int64_t>(size) * 1000;
  in.now = in.arrival_time + 1;
  in.headers_only = size % 2 == 0;
  in.recipients.push_back(
      {fields[4], fields[5], size % 3 == 0, gm::qmgr::status_of_reply(fields[6]), fields[6]});
  gm::qmgr::DsnParts parts = gm::qmgr::compose_dsn(in);
  check_lines(parts.head);
  check_lines(parts.tail);
  std::string status = gm::qmgr::status_of_reply(fields[7]);
  if (status.size() < 5 || (status[0] != '2' && status[0] != '4' && status[0] != '5')) std::abort();
  return 0;
}
