// gm-enqueue: a test driver until sendmail lands. Reads a message on stdin
// (LF or CRLF line ends; stored with CRLF), commits it to the queue's
// incoming/ through the real QueueStore, and triggers qmgr.
//   gm-enqueue -c gm.conf [-f sender] [--ret HDRS|FULL] [--notify LIST] rcpt...
// An empty -f "" is the null sender. Prints the queue id.
#include <cstdio>
#include <iostream>
#include <string>

#include "core/config.hpp"
#include "core/str.hpp"
#include "mail/queue_store.hpp"
#include "mail/queue_trigger.hpp"

int main(int argc, char** argv) {
  using namespace gm;
  std::string config_path, sender, notify_text;
  mail::Envelope envelope;
  std::vector<std::string> recipients;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (arg == "-c")
      config_path = value();
    else if (arg == "-f")
      sender = value();
    else if (arg == "--ret")
      envelope.ret = value() == "HDRS" ? mail::DsnRet::kHeaders : mail::DsnRet::kFull;
    else if (arg == "--notify")
      notify_text = value();
    else
      recipients.push_back(arg);
  }
  auto config = core::Config::load(config_path);
  if (!config || recipients.empty()) {
    std::fprintf(stderr, "usage: gm-enqueue -c gm.conf [-f sender] rcpt...\n");
    return 64;
  }
  uint8_t notify = mail::kNotifyDefault;
  if (!notify_text.empty()) {
    auto parsed = mail::parse_notify(notify_text);
    if (!parsed) return 64;
    notify = *parsed;
  }
  envelope.sender = sender;
  envelope.arrival_micros =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count());
  for (const std::string& r : recipients) {
    mail::QueueRecipient recipient;
    recipient.address = r;
    recipient.notify = notify;
    envelope.recipients.push_back(recipient);
  }
  envelope.client = {"local", "localhost", "localhost", "local"};
  auto store = mail::make_file_queue_store(config->path("spool_dir"));
  if (Status s = store->init(); !s)
    return std::fprintf(stderr, "%s\n", s.error().message.c_str()), 75;
  auto message = store->create(envelope);
  if (!message) return std::fprintf(stderr, "%s\n", message.error().message.c_str()), 75;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (Status s = (*message)->append(line + "\r\n"); !s) return 75;
  }
  auto committed = (*message)->commit();
  if (!committed) return std::fprintf(stderr, "%s\n", committed.error().message.c_str()), 75;
  std::printf("%s\n", (*message)->queue_id().c_str());
  (void)mail::trigger_queue_manager(*config, mail::kTriggerNew);
  return 0;
}
