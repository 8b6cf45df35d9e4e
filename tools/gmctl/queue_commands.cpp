// gmctl queue list|show|hold|release|delete|flush|requeue: the mail queue
// ($spool_dir, ISSUE4/DESIGN.md layout) read and changed directly on disk,
// as Postfix's postqueue/postsuper do; moves go through QueueStore::move,
// so they are durable when the command returns. Shows envelopes and
// headers only: a body is printed only with --body --consent-recorded
// (administrators do not read a user's mail without consent). gmctl(1).
#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "command.hpp"
#include "core/durable_file.hpp"
#include "core/json_writer.hpp"
#include "core/str.hpp"
#include "mail/local_message.hpp"
#include "mail/queue_file.hpp"
#include "mail/queue_listing.hpp"
#include "mail/queue_store.hpp"
#include "mail/queue_trigger.hpp"
#include "options.hpp"

namespace gm::gmctl {
namespace {

constexpr std::string_view kQueueUsage =
    "usage: gmctl queue list [--queue Q] | show ID [--body --consent-recorded] | hold ID | "
    "release ID | delete ID | delete ALL [--queue Q] | requeue ID | flush";

std::string_view state_name(mail::RecipientState state) {
  switch (state) {
    case mail::RecipientState::kPending:
      return "pending";
    case mail::RecipientState::kDelivered:
      return "delivered";
    case mail::RecipientState::kFailed:
      return "failed";
  }
  return "pending";
}

void write_recipients(core::JsonWriter& json, const mail::Envelope& envelope) {
  json.key("recipients").begin_array();
  for (const mail::QueueRecipient& r : envelope.recipients) {
    json.begin_object().key("address").value(r.address).key("state").value(state_name(r.state));
    json.key("attempts").value(static_cast<int64_t>(r.attempts));
    json.key("last_reply").value(r.last_reply).end_object();
  }
  json.end_array();
}

// The members of one message; the caller opens and closes the object.
void write_entry_fields(core::JsonWriter& json, const mail::QueueListing& entry) {
  json.key("queue").value(entry.queue).key("id").value(entry.id);
  json.key("size").value(static_cast<int64_t>(entry.size));
  if (!entry.error.empty()) {
    json.key("error").value(entry.error);
    return;
  }
  const mail::Envelope& envelope = entry.envelope;
  json.key("arrival").value(static_cast<int64_t>(envelope.arrival_micros / 1000000));
  json.key("sender").value(envelope.sender);
  // When the sender was told the message is delayed (delay_warning_time), else null.
  json.key("delay_warned");
  if (envelope.delay_warned_micros != 0)
    json.value(static_cast<int64_t>(envelope.delay_warned_micros / 1000000));
  else
    json.null();
  write_recipients(json, envelope);
}

size_t pending(const mail::Envelope& envelope) {
  size_t n = 0;
  for (const auto& r : envelope.recipients) n += r.state == mail::RecipientState::kPending;
  return n;
}

int list(Options& options, const Context& context, const core::Config& config) {
  std::string only = options.value("--queue");
  if (auto error = options.error(); !error.empty()) return usage_error(error);
  std::string spool = config.path("spool_dir");
  auto entries = only.empty() ? mail::list_all_queues(spool) : mail::list_queue(spool, only);
  if (!entries) return failure(entries.error().message);
  if (context.json) {
    core::JsonWriter json;
    json.begin_object().key("messages").begin_array();
    for (const auto& entry : *entries) {
      json.begin_object();
      write_entry_fields(json, entry);
      json.end_object();
    }
    json.end_array().end_object();
    std::printf("%s\n", json.text().c_str());
    return kExitOk;
  }
  std::printf("%-9s %-17s %10s %-10s %s\n", "QUEUE", "ID", "SIZE", "RCPTS", "SENDER");
  for (const auto& entry : *entries) {
    std::string sender = entry.error.empty()
                             ? (entry.envelope.sender.empty() ? "<>" : entry.envelope.sender)
                             : "(unreadable: " + entry.error + ")";
    std::string recipients =
        str_cat(pending(entry.envelope), "/", entry.envelope.recipients.size());
    std::printf("%-9s %-17s %10llu %-10s %s\n", entry.queue.c_str(), entry.id.c_str(),
                static_cast<unsigned long long>(entry.size), recipients.c_str(),
                printable(sender).c_str());
  }
  return kExitOk;
}

// The content up to the end of the header (or all of it with the body),
// read in bounded chunks.
Result<std::string> read_content(const mail::QueueFile& file, bool body) {
  std::string out;
  Status status = file.read_content([&](std::string_view chunk) -> Status {
    out.append(chunk);
    if (body) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
      return {};
    }
    size_t end = out.find("\r\n\r\n");
    if (end != std::string::npos) {
      out.resize(end + 2);
      return make_error("end of header");
    }
    if (out.size() > mail::kMaxHeaderSection) return make_error("end of header");
    return {};
  });
  if (!status && status.error().message != "end of header") return status.error();
  return out;
}

int show(Options& options, const Context& context, const core::Config& config) {
  bool body = options.flag("--body"), consent = options.flag("--consent-recorded");
  if (auto error = options.error(); !error.empty()) return usage_error(error);
  if (options.word_count() != 2) return usage_error(kQueueUsage);
  if (body && !consent)
    return usage_error("--body prints a user's mail: add --consent-recorded once the user agreed");
  std::string spool = config.path("spool_dir"), id = options.word(1);
  auto queue = mail::find_queue_of(spool, id);
  if (!queue) return failure(queue.error().message);
  auto file = mail::QueueFile::open(str_cat(spool, '/', *queue, '/', id));
  if (!file) return failure(file.error().message);
  const mail::Envelope& e = file->envelope();
  if (context.json) {
    auto headers = read_content(*file, false);
    if (!headers) return failure(headers.error().message);
    core::JsonWriter json;
    mail::QueueListing entry{*queue, id, file->content_length(), e, ""};
    json.begin_object().key("message").begin_object();
    write_entry_fields(json, entry);
    json.key("client").value(str_cat(e.client.address, " ", e.client.name));
    json.key("protocol").value(e.client.protocol).key("auth_user").value(e.auth_user);
    json.key("headers").value(*headers).end_object().end_object();
    std::printf("%s\n", json.text().c_str());
    return kExitOk;
  }
  std::printf("queue: %s\nid: %s\nsize: %llu\narrival: %s\nsender: <%s>\n", queue->c_str(),
              id.c_str(), static_cast<unsigned long long>(file->content_length()),
              mail::rfc5322_date(static_cast<int64_t>(e.arrival_micros / 1000000)).c_str(),
              printable(e.sender).c_str());
  std::printf("client: %s %s (%s)%s%s\n", printable(e.client.address).c_str(),
              printable(e.client.name).c_str(), printable(e.client.protocol).c_str(),
              e.auth_user.empty() ? "" : " authenticated as ", printable(e.auth_user).c_str());
  if (e.delay_warned_micros != 0)
    std::printf("delay warning sent: %s\n",
                mail::rfc5322_date(static_cast<int64_t>(e.delay_warned_micros / 1000000)).c_str());
  for (const auto& r : e.recipients)
    std::printf("recipient: <%s> %s%s%s\n", printable(r.address).c_str(),
                std::string(state_name(r.state)).c_str(), r.last_reply.empty() ? "" : " ",
                printable(r.last_reply).c_str());
  std::printf("\n");
  std::fflush(stdout);
  auto content = read_content(*file, body);
  if (!content) return failure(content.error().message);
  std::string text;  // the header for a terminal: CRLF -> LF
  for (char c : *content)
    if (c != '\r') text += c;
  std::fwrite(text.data(), 1, text.size(), stdout);
  return kExitOk;
}

// hold, release, requeue: a durable move between two queues.
int move(const Options& options, const core::Config& config, std::string_view command) {
  if (options.word_count() != 2) return usage_error(kQueueUsage);
  std::string spool = config.path("spool_dir"), id = options.word(1);
  auto where = mail::find_queue_of(spool, id);
  if (!where) return failure(where.error().message);
  auto from = mail::parse_queue_name(*where);
  bool allowed = from && (command == "hold" ? *from == mail::QueueName::kIncoming ||
                                                  *from == mail::QueueName::kDeferred
                          : command == "release" ? *from == mail::QueueName::kHold
                                                 : *from == mail::QueueName::kDeferred ||
                                                       *from == mail::QueueName::kHold);
  if (!allowed)
    return failure(str_cat("cannot ", command, " ", id, ": it is in ", *where,
                           *where == "active" ? " (being delivered; try again)" : ""));
  mail::QueueName to = command == "hold" ? mail::QueueName::kHold : mail::QueueName::kIncoming;
  auto store = mail::make_file_queue_store(spool);
  if (auto status = store->move(id, *from, to, mail::Sync::kDurable); !status) return failure(status.error().message);
  if (to == mail::QueueName::kIncoming)
    if (auto status = mail::trigger_queue_manager(config, mail::kTriggerNew); !status)
      std::fprintf(stderr, "gmctl: %s (qmgr finds it at its next scan)\n",
                   status.error().message.c_str());
  std::printf("%s: %s -> %s\n", id.c_str(), where->c_str(),
              std::string(mail::queue_dir_name(to)).c_str());
  return kExitOk;
}

Status remove_one(const std::string& spool, const std::string& queue, const std::string& id) {
  if (auto name = mail::parse_queue_name(queue))
    return mail::make_file_queue_store(spool)->remove(*name, id, mail::Sync::kDurable);
  // maildrop: not the queue store's; unlink and sync the same way.
  std::string dir = str_cat(spool, '/', queue);
  if (::unlink(str_cat(dir, '/', id).c_str()) != 0)
    return make_error(str_cat("unlink ", id, ": ", std::strerror(errno)));
  return core::fsync_directory(dir);
}

int remove(Options& options, const core::Config& config) {
  std::string only = options.value("--queue");
  if (auto error = options.error(); !error.empty()) return usage_error(error);
  if (options.word_count() != 2) return usage_error(kQueueUsage);
  std::string spool = config.path("spool_dir"), id = options.word(1);
  if (id != "ALL") {
    auto queue = mail::find_queue_of(spool, id);
    if (!queue) return failure(queue.error().message);
    if (auto status = remove_one(spool, *queue, id); !status)
      return failure(status.error().message);
    std::printf("%s: deleted from %s\n", id.c_str(), queue->c_str());
    return kExitOk;
  }
  auto entries = only.empty() ? mail::list_all_queues(spool) : mail::list_queue(spool, only);
  if (!entries) return failure(entries.error().message);
  size_t deleted = 0;
  for (const auto& entry : *entries) {
    if (entry.queue == "active") continue;  // qmgr's; Postfix's postsuper -d ALL waits too
    if (remove_one(spool, entry.queue, entry.id)) ++deleted;
  }
  std::printf("%zu message%s deleted\n", deleted, deleted == 1 ? "" : "s");
  return kExitOk;
}

int flush(const Options& options, const core::Config& config) {
  if (options.word_count() != 1) return usage_error(kQueueUsage);
  if (auto status = mail::trigger_queue_manager(config, mail::kTriggerFlush); !status) {
    std::fprintf(stderr, "gmctl: %s\n", status.error().message.c_str());
    return kExitUnavailable;
  }
  std::printf("qmgr asked to retry deferred mail now\n");
  return kExitOk;
}

}  // namespace

int run_queue(Context& context) {
  Options options(context.args);
  std::string command = options.word(0);
  auto config = context.load_config();
  if (!config) return failure(config.error().message);
  if (command == "list") return list(options, context, *config);
  if (command == "show") return show(options, context, *config);
  if (auto error = options.error(); !error.empty() && command != "delete")
    return usage_error(error);
  if (command == "hold" || command == "release" || command == "requeue")
    return move(options, *config, command);
  if (command == "delete") return remove(options, *config);
  if (command == "flush") return flush(options, *config);
  return usage_error(kQueueUsage);
}

}  // namespace gm::gmctl
