#include "message_delivery.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <optional>

#include "auth/directory_client.hpp"
#include "core/log.hpp"
#include "core/str.hpp"
#include "dsn.hpp"
#include "lmtp_client.hpp"
#include "lmtp_pool.hpp"

namespace gm::qmgr {
namespace {

using mail::QueueName;
using mail::RecipientState;

constexpr std::string_view kRemoteWaits =
    "450 4.4.0 remote delivery is not available yet (no smtp agent); kept in the queue";

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

uint64_t now_micros() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

// What happened to one recipient in this attempt.
struct Outcome {
  RecipientState state = RecipientState::kPending;
  std::string reply;
  bool attempted = false;
};

// The header section (at most kMaxHeaderScan bytes) of the content.
std::string read_headers(const mail::QueueFile& file) {
  std::string head;
  (void)file.read_content([&](std::string_view chunk) -> Status {
    head.append(chunk);
    size_t end = head.find("\r\n\r\n");
    if (end != std::string::npos) {
      head.resize(end + 2);
      return make_error("enough");
    }
    if (head.size() >= kMaxHeaderScan) {
      head.resize(kMaxHeaderScan);
      return make_error("enough");
    }
    return {};
  });
  return head;
}

// RFC 3461 4.1: no NOTIFY leaves delay notices to the MTA; Postfix sends
// them (when delay warnings are on), and so do we.
bool notify_allows_delay(uint8_t notify) {
  if (notify & mail::kNotifyNever) return false;
  return notify == mail::kNotifyDefault || (notify & mail::kNotifyDelay) != 0;
}

bool notify_allows(uint8_t notify, bool success) {
  if (notify & mail::kNotifyNever) return false;
  if (success) return (notify & mail::kNotifySuccess) != 0;
  return notify == mail::kNotifyDefault || (notify & mail::kNotifyFailure) != 0;
}

// A connection-level failure (as opposed to a reply): the connection is
// no longer in a known state.
std::string connection_failure(const Error& why) {
  return str_cat("451 ", why.message);
}

// After a transaction that ended before its content (refused sender, no
// recipient, DATA refused), mda still holds it: RSET before another
// transaction may use the connection.
void reset_and_give_back(LmtpPool& pool, LmtpClient client) {
  auto r = client.command("RSET");
  if (r && r->code == 250) pool.give_back(std::move(client));
}

// Runs one LMTP transaction for the recipients at `indexes` on a kept or
// new connection to mda; fills their outcomes. MAIL, every RCPT and DATA
// go in one write (RFC 2033 4.1 makes PIPELINING mandatory for LMTP), so
// a message costs two round trips. Returns false when the content turned
// out corrupt (nothing was delivered).
bool deliver_local(LmtpPool& pool, const mail::QueueFile& file,
                   const std::vector<size_t>& indexes, std::vector<Outcome>& outcomes) {
  const mail::Envelope& env = file.envelope();
  auto fail_all = [&](const std::vector<size_t>& which, const std::string& why) {
    for (size_t i : which) outcomes[i] = Outcome{RecipientState::kPending, why, true};
  };
  std::string commands = str_cat("MAIL FROM:<", env.sender, ">");
  if (env.body == mail::BodyType::k8BitMime) commands += " BODY=8BITMIME";
  if (env.smtputf8) commands += " SMTPUTF8";
  commands += "\r\n";
  for (size_t i : indexes) commands += str_cat("RCPT TO:<", env.recipients[i].address, ">\r\n");
  commands += "DATA\r\n";

  std::optional<LmtpClient> client;
  Result<LmtpReply> mail_reply = make_error("not sent");
  for (bool fresh : {false, true}) {
    auto taken = pool.take(fresh);
    if (!taken) {
      fail_all(indexes, connection_failure(taken.error()));
      return true;
    }
    client.emplace(std::move(*taken));
    Status sent = client->send(commands);
    mail_reply = sent ? client->read_reply() : Result<LmtpReply>(sent.error());
    // A kept connection mda closed meanwhile (or is closing: 421 after its
    // idle timeout): once more on a new one.
    bool closed = !mail_reply || mail_reply->code == 421;
    if (!closed || !client->reused()) break;
  }
  if (!mail_reply) return fail_all(indexes, connection_failure(mail_reply.error())), true;
  // Every pipelined reply is read, whatever came before, to keep the
  // connection in step; RCPT and DATA after a refused MAIL get 503.
  std::vector<Result<LmtpReply>> rcpt_replies;
  for (size_t k = 0; k < indexes.size(); ++k) rcpt_replies.push_back(client->read_reply());
  auto data_reply = client->read_reply();

  if (mail_reply->code != 250) {
    // A permanent refusal of the sender is final for everyone.
    bool permanent = mail_reply->code >= 500;
    for (size_t i : indexes)
      outcomes[i] = Outcome{permanent ? RecipientState::kFailed : RecipientState::kPending,
                            mail_reply->summary(), true};
    bool in_step = data_reply.ok() && std::all_of(rcpt_replies.begin(), rcpt_replies.end(),
                                                   [](const auto& r) { return r.ok(); });
    if (in_step) reset_and_give_back(pool, std::move(*client));
    return true;
  }
  std::vector<size_t> accepted;
  for (size_t k = 0; k < indexes.size(); ++k) {
    size_t i = indexes[k];
    const auto& r = rcpt_replies[k];
    if (!r) {
      std::vector<size_t> rest(indexes.begin() + static_cast<long>(k), indexes.end());
      fail_all(rest, connection_failure(r.error()));
      fail_all(accepted, connection_failure(r.error()));
      return true;
    }
    if (r->code == 250) {
      accepted.push_back(i);
    } else {
      outcomes[i] = Outcome{r->code >= 500 ? RecipientState::kFailed : RecipientState::kPending,
                            r->summary(), true};
    }
  }
  if (!data_reply) return fail_all(accepted, connection_failure(data_reply.error())), true;
  if (data_reply->code != 354) {
    // No recipient accepted (mda refuses DATA then), or mda cannot take it.
    if (!accepted.empty()) fail_all(accepted, data_reply->summary());
    reset_and_give_back(pool, std::move(*client));
    return true;
  }
  if (accepted.empty()) return true;  // 354 with nobody to deliver to: not a usable mda
  DotStuffer stuffer;
  Status sent;
  Status content = file.read_content([&](std::string_view chunk) -> Status {
    sent = client->send(stuffer.stuff(chunk));
    return sent;
  });
  if (!sent) return fail_all(accepted, connection_failure(sent.error())), true;
  if (!content) {
    // Checksum mismatch: hang up before the final dot, so mda delivers nothing.
    log::error(str_cat(env.queue_id, ": ", content.error().message));
    return false;
  }
  if (Status s = client->send(stuffer.finish()); !s)
    return fail_all(accepted, connection_failure(s.error())), true;
  // RFC 2033 4.2: one reply per accepted recipient, in order.
  for (size_t k = 0; k < accepted.size(); ++k) {
    auto r = client->read_reply();
    if (!r) {
      std::vector<size_t> rest(accepted.begin() + static_cast<long>(k), accepted.end());
      fail_all(rest, connection_failure(r.error()));
      return true;
    }
    RecipientState state = r->code == 250   ? RecipientState::kDelivered
                           : r->code >= 500 ? RecipientState::kFailed
                                            : RecipientState::kPending;
    outcomes[accepted[k]] = Outcome{state, r->summary(), true};
  }
  pool.give_back(std::move(*client));
  return true;
}

// Commits a DSN about `recipients` to the sender as a new message from <>.
Status send_dsn(mail::QueueStore& store, const QmgrSettings& settings, const mail::QueueFile& file,
                std::vector<DsnRecipient> recipients, int64_t will_retry_until = 0) {
  const mail::Envelope& env = file.envelope();
  DsnInput input;
  input.reporting_mta = settings.hostname;
  input.queue_id = env.queue_id;
  input.envid = env.envid;
  input.original_sender = env.sender;
  input.arrival_time = static_cast<int64_t>(env.arrival_micros / 1'000'000);
  input.now = now_seconds();
  input.will_retry_until = will_retry_until;
  input.recipients = std::move(recipients);
  input.headers_only =
      env.ret == mail::DsnRet::kHeaders || file.content_length() > kMaxReturnedContent;
  input.boundary = str_cat(env.queue_id, ".", input.now);
  DsnParts parts = compose_dsn(input);

  mail::Envelope bounce;
  bounce.sender = "";  // RFC 3464 / RFC 5321 4.5.5: notifications go from <>
  bounce.arrival_micros = now_micros();
  bounce.body = env.body == mail::BodyType::k7Bit ? mail::BodyType::k7Bit : env.body;
  bounce.smtputf8 = env.smtputf8;
  mail::QueueRecipient to;
  to.address = env.sender;
  to.notify = mail::kNotifyNever;
  bounce.recipients.push_back(to);
  bounce.client = {"local", "localhost", settings.hostname, "local"};
  auto message = store.create(std::move(bounce));
  if (!message) return message.error();
  if (Status s = (*message)->append(parts.head); !s) return s;
  if (input.headers_only) {
    if (Status s = (*message)->append(read_headers(file)); !s) return s;
  } else {
    Status s = file.read_content([&](std::string_view chunk) { return (*message)->append(chunk); });
    if (!s) return s;
  }
  if (Status s = (*message)->append(parts.tail); !s) return s;
  auto committed = (*message)->commit();
  if (!committed) return committed.error();
  log::info(str_cat(env.queue_id, ": sender notification ", (*message)->queue_id(), " to <",
                    printable(env.sender, 320), ">"));
  return {};
}

// delay_warning_time: once per message, a delayed DSN (RFC 3464 2.3.3) for
// the recipients still pending after this attempt, recorded in the queue
// file so that neither the next attempt nor a restarted qmgr sends another.
// A failure is logged and tried again at the next attempt.
void send_delay_warning(mail::QueueStore& store, const QmgrSettings& settings,
                        mail::QueueFile& file, const std::vector<Outcome>& outcomes) {
  const mail::Envelope& env = file.envelope();
  int64_t arrival = static_cast<int64_t>(env.arrival_micros / 1'000'000);
  if (settings.delay_warning.count() <= 0 || env.delay_warned_micros != 0 || env.sender.empty() ||
      now_seconds() - arrival < settings.delay_warning.count())
    return;
  std::vector<DsnRecipient> delayed;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const Outcome& o = outcomes[i];
    const mail::QueueRecipient& r = env.recipients[i];
    if (!o.attempted || o.state != RecipientState::kPending || !notify_allows_delay(r.notify))
      continue;
    DsnRecipient d{r.address, r.orcpt, false, status_of_reply(o.reply), o.reply, true};
    if (!d.status.starts_with("4.")) d.status = "4.0.0";
    delayed.push_back(std::move(d));
  }
  if (delayed.empty()) return;
  if (Status s =
          send_dsn(store, settings, file, std::move(delayed), arrival + settings.lifetime.count());
      !s) {
    log::error(str_cat(env.queue_id, ": cannot queue the delay warning: ", s.error().message,
                       "; trying again at the next attempt"));
    return;
  }
  if (Status s = file.record_delay_warning(now_micros()); !s)
    log::error(str_cat(env.queue_id, ": cannot record the delay warning: ", s.error().message));
}

void move_to_corrupt(mail::QueueStore& store, const std::string& id, std::string_view why) {
  log::error(str_cat(id, ": ", why, "; moved to the corrupt queue"));
  if (Status s = store.move(id, QueueName::kActive, QueueName::kCorrupt, mail::Sync::kDurable); !s)
    log::error(str_cat(id, ": cannot move to corrupt: ", s.error().message));
}

}  // namespace

QmgrSettings QmgrSettings::from_config(std::shared_ptr<const core::Config> config) {
  QmgrSettings s;
  s.spool_dir = config->path("spool_dir");
  s.lmtp_socket = config->path("lmtp_socket");
  s.hostname = config->string("myhostname");
  if (s.hostname.empty()) {
    char buffer[256] = {};
    s.hostname = gethostname(buffer, sizeof buffer - 1) == 0 ? buffer : "localhost";
  }
  auto seconds = [&](std::string_view key) {
    return std::chrono::duration_cast<std::chrono::seconds>(config->duration(key));
  };
  s.backoff = {seconds("minimal_backoff_time"), seconds("maximal_backoff_time")};
  s.lifetime = seconds("maximal_queue_lifetime");
  s.delay_warning = seconds("delay_warning_time");
  s.hopcount_limit = static_cast<size_t>(std::max<int64_t>(config->integer("hopcount_limit"), 1));
  s.concurrency = static_cast<size_t>(
      std::max<int64_t>(config->integer("default_destination_concurrency_limit"), 1));
  s.queue_run_delay = std::max(config->duration("queue_run_delay"), std::chrono::milliseconds(100));
  s.connections = std::make_shared<DeliveryConnections>(config->path("auth_socket"),
                                                        s.lmtp_socket, s.hostname, s.concurrency);
  s.config = std::move(config);
  return s;
}

size_t count_received(std::string_view headers) {
  size_t count = 0;
  size_t start = 0;
  while (start < headers.size()) {
    size_t lf = headers.find('\n', start);
    std::string_view line = headers.substr(start, lf == std::string_view::npos ? lf : lf - start);
    if (line.empty() || line == "\r") break;
    if (line.size() > 9 && to_lower(line.substr(0, 9)) == "received:") ++count;
    if (lf == std::string_view::npos) break;
    start = lf + 1;
  }
  return count;
}

AttemptResult attempt_delivery(mail::QueueStore& store, const QmgrSettings& settings,
                               const std::string& id) {
  AttemptResult result;
  auto opened = store.open(QueueName::kActive, id, true);
  if (!opened) {
    if (opened.error().message.starts_with("corrupt queue file:")) {
      move_to_corrupt(store, id, opened.error().message);
      result.kind = AttemptResult::Kind::kCorrupt;
    } else {
      log::error(str_cat(id, ": ", opened.error().message));
    }
    return result;
  }
  mail::QueueFile& file = *opened;
  const mail::Envelope& env = file.envelope();
  size_t n = env.recipients.size();
  std::vector<Outcome> outcomes(n);
  bool looped = count_received(read_headers(file)) > settings.hopcount_limit;
  bool expired = now_seconds() - static_cast<int64_t>(env.arrival_micros / 1'000'000) >
                 settings.lifetime.count();

  std::vector<size_t> local;
  for (size_t i = 0; i < n; ++i) {
    const mail::QueueRecipient& r = env.recipients[i];
    if (r.state != RecipientState::kPending) continue;
    if (looped) {
      outcomes[i] = {RecipientState::kFailed, "554 5.4.6 Too many hops (mail loop)", true};
      continue;
    }
    auto entry = settings.connections->directory.lookup(r.address);
    if (!entry) {
      outcomes[i] = {RecipientState::kPending, str_cat("451 4.3.0 ", entry.error().message), true};
    } else if (entry->kind == auth::DirectoryEntry::Kind::kNone && !entry->local_domain) {
      log::notice(str_cat(id, ": to=<", printable(r.address, 320),
                          "> remote recipient waits in the deferred queue (no smtp agent yet)"));
      outcomes[i] = {RecipientState::kPending, std::string(kRemoteWaits), true};
    } else {
      local.push_back(i);
    }
  }
  if (!local.empty() && !deliver_local(settings.connections->lmtp, file, local, outcomes)) {
    move_to_corrupt(store, id, "content checksum mismatch");
    result.kind = AttemptResult::Kind::kCorrupt;
    return result;
  }
  // maximal_queue_lifetime: what is still pending now fails (RFC 3463 4.4.7).
  if (expired)
    for (Outcome& o : outcomes)
      if (o.attempted && o.state == RecipientState::kPending) {
        o.state = RecipientState::kFailed;
        o.reply = str_cat("message expired in the queue; last error: ", o.reply);
      }

  // Notifications first (committed), then the states that caused them.
  std::vector<DsnRecipient> failures, successes;
  for (size_t i = 0; i < n; ++i) {
    const Outcome& o = outcomes[i];
    const mail::QueueRecipient& r = env.recipients[i];
    if (!o.attempted || o.state == RecipientState::kPending) continue;
    bool ok = o.state == RecipientState::kDelivered;
    if (!notify_allows(r.notify, ok)) continue;
    std::string status = expired && !ok && o.reply.starts_with("message expired")
                             ? std::string("4.4.7")
                             : status_of_reply(o.reply);
    (ok ? successes : failures).push_back(DsnRecipient{r.address, r.orcpt, ok, status, o.reply});
  }
  if (!env.sender.empty()) {  // never to the null sender
    for (auto* list : {&failures, &successes}) {
      if (list->empty()) continue;
      if (Status s = send_dsn(store, settings, file, std::move(*list)); !s) {
        log::error(str_cat(id, ": cannot queue the sender notification: ", s.error().message,
                           "; trying again later"));
        // Keep the message as it was: deferred, nothing recorded.
        store.move(id, QueueName::kActive, QueueName::kDeferred, mail::Sync::kDurable).ok();
        result.kind = AttemptResult::Kind::kDeferred;
        return result;
      }
      result.queued_notification = true;
    }
  }

  if (!expired) send_delay_warning(store, settings, file, outcomes);

  uint32_t max_attempts = 0;
  uint64_t when = now_micros();
  // Nothing left to do: the file goes, so its states need not be recorded
  // (an fdatasync saved per message; a crash before the removal means
  // another attempt, as a crash before record_state always did).
  bool all_done = true;
  for (size_t i = 0; i < n; ++i)
    if ((outcomes[i].attempted ? outcomes[i].state : env.recipients[i].state) ==
        RecipientState::kPending)
      all_done = false;
  for (size_t i = 0; i < n; ++i) {
    const Outcome& o = outcomes[i];
    const mail::QueueRecipient& r = env.recipients[i];
    if (o.attempted) {
      Status s = all_done ? Status{} : file.record_state(i, o.state, o.reply, when);
      if (!s) {
        log::error(str_cat(id, ": cannot record delivery state: ", s.error().message));
        result.kind = AttemptResult::Kind::kError;
        return result;
      }
      log::info(str_cat(id, ": to=<", printable(r.address, 320), "> status=",
                        o.state == RecipientState::kDelivered ? "delivered"
                        : o.state == RecipientState::kFailed  ? "bounced"
                                                              : "deferred",
                        " (", printable(o.reply, 300), ")"));
    }
    RecipientState state = o.attempted ? o.state : r.state;
    if (state == RecipientState::kDelivered) ++result.delivered;
    if (state == RecipientState::kFailed) ++result.failed;
    if (state == RecipientState::kPending) {
      ++result.pending;
      max_attempts = std::max(max_attempts, r.attempts + (o.attempted ? 1u : 0u));
    }
  }
  if (result.pending == 0) {
    if (Status s = store.recycle(QueueName::kActive, id); !s)
      log::error(str_cat(id, ": cannot remove: ", s.error().message));
    log::info(str_cat(id, ": removed"));
    result.kind = AttemptResult::Kind::kRemoved;
    return result;
  }
  // The next attempt's time is the deferred file's mtime (backoff.hpp).
  auto delay = retry_delay(settings.backoff, std::max(max_attempts, 1u));
  timespec times[2];
  times[0].tv_sec = times[1].tv_sec = static_cast<time_t>(now_seconds() + delay.count());
  times[0].tv_nsec = times[1].tv_nsec = 0;
  if (futimens(file.fd(), times) != 0) log::warning(str_cat(id, ": cannot set the retry time"));
  if (Status s = store.move(id, QueueName::kActive, QueueName::kDeferred, mail::Sync::kDurable); !s)
    log::error(str_cat(id, ": cannot move to deferred: ", s.error().message));
  result.kind = AttemptResult::Kind::kDeferred;
  return result;
}

}  // namespace gm::qmgr
