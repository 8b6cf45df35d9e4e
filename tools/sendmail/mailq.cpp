// Postfix's mailq layout, so scripts that read it keep working:
//
//   -Queue ID-------- --Size-- ----Arrival Time---- -Sender/Recipient-------
//   0UzS1Ah2bJ00kXa00*    1234 Tue Jan  2 10:00:00  sender@example.org
//                                             (last reply, for deferred mail)
//                                                    recipient@example.net
//
//   -- 2 Kbytes in 1 Request.
//
// After the ID: '*' active, '!' on hold, '#' corrupt (Postfix has no corrupt
// queue). Only recipients still waiting are shown.
#include "mailq.hpp"

#include <time.h>

#include <cerrno>
#include <chrono>
#include <cstdio>

#include "core/str.hpp"
#include "mail/queue_listing.hpp"
#include "net/ipc.hpp"
#include "sysexits.hpp"

namespace gm::tools {
namespace {

constexpr std::chrono::milliseconds kListingTimeout{30'000};
constexpr size_t kMaxListingLine = 4 << 20;  // a message with 10,000 recipients and their replies

char status_mark(const std::string& queue) {
  if (queue == "active") return '*';
  if (queue == "hold") return '!';
  if (queue == "corrupt") return '#';
  return ' ';
}

std::string arrival(uint64_t micros) {
  time_t t = static_cast<time_t>(micros / 1000000);
  struct tm local;
  localtime_r(&t, &local);
  char buf[32];
  std::strftime(buf, sizeof buf, "%a %b %e %H:%M:%S", &local);
  return buf;
}

void print_entry(const mail::QueueListing& entry) {
  const mail::Envelope& envelope = entry.envelope;
  std::printf("%-17s%c %8llu %-20s  %s\n", entry.id.c_str(), status_mark(entry.queue),
              static_cast<unsigned long long>(entry.size),
              entry.error.empty() ? arrival(envelope.arrival_micros).c_str() : "-",
              entry.error.empty()
                  ? (envelope.sender.empty() ? "MAILER-DAEMON" : printable(envelope.sender).c_str())
                  : printable(entry.error).c_str());
  for (const mail::QueueRecipient& recipient : envelope.recipients) {
    if (recipient.state != mail::RecipientState::kPending) continue;
    if (!recipient.last_reply.empty())
      std::printf("%49s(%s)\n", "", printable(recipient.last_reply, 200).c_str());
    std::printf("%50s%s\n", "", printable(recipient.address).c_str());
  }
  std::printf("\n");
}

Result<std::vector<mail::QueueListing>> listing_from_qmgr(const std::string& socket) {
  auto unavailable = [](std::string_view why) {
    return make_error(str_cat("queue report unavailable (the queue is readable only by root and "
                              "the mail system, and qmgr did not answer): ",
                              why),
                      kExUnavailable);
  };
  auto client = net::IpcLineClient::connect(socket, kListingTimeout, kMaxListingLine);
  if (!client) return unavailable(client.error().message);
  if (Status s = client->send_line(mail::kListingRequest); !s) return unavailable(s.error().message);
  std::vector<mail::QueueListing> entries;
  while (true) {
    auto line = client->read_line();
    if (!line) return unavailable(line.error().message);
    if (*line == mail::kListingEnd) return entries;
    if (line->starts_with(mail::kListingFailed)) return make_error(line->substr(1));
    auto entry = mail::decode_listing_line(*line);
    if (!entry) return unavailable(entry.error().message);
    entries.push_back(std::move(*entry));
  }
}

}  // namespace

int print_mail_queue(const core::Config& config) {
  auto entries = mail::list_all_queues(config.path("spool_dir"));
  // Not root or the mail system: qmgr reads the queue for us, as Postfix's
  // showq does for postqueue -p.
  if (!entries && entries.error().code == EACCES)
    entries = listing_from_qmgr(config.path("queue_trigger_socket"));
  if (!entries) {
    std::fprintf(stderr, "mailq: %s\n", entries.error().message.c_str());
    return entries.error().code == kExUnavailable ? kExUnavailable : kExTempFail;
  }
  if (entries->empty()) {
    std::printf("Mail queue is empty\n");
    return kExOk;
  }
  std::printf("%-18s %8s %-20s  %s\n", "-Queue ID--------", "--Size--", "----Arrival Time----",
              "-Sender/Recipient-------");
  uint64_t bytes = 0;
  for (const mail::QueueListing& entry : *entries) {
    print_entry(entry);
    bytes += entry.size;
  }
  size_t count = entries->size();
  std::printf("-- %llu Kbytes in %zu Request%s.\n",
              static_cast<unsigned long long>((bytes + 1023) / 1024), count, count == 1 ? "" : "s");
  return kExOk;
}

}  // namespace gm::tools
