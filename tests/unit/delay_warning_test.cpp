// Delay warnings (delay_warning_time): the delayed DSN's content, and the
// queue file record that says the warning went out, including that files
// written before that record existed still parse.
#include <gtest/gtest.h>

#include <filesystem>

#include "dsn.hpp"  // mta/qmgr (gm_qmgr's include directory)
#include "mail/crc32c.hpp"
#include "mail/queue_envelope.hpp"
#include "mail/queue_file.hpp"
#include "mail/queue_store.hpp"

namespace gm {
namespace {

namespace fs = std::filesystem;

mail::Envelope two_recipients() {
  mail::Envelope e;
  e.queue_id = "Q1";
  e.arrival_micros = 1'700'000'000'000'000;
  e.sender = "bob@example";
  mail::QueueRecipient a, c;
  a.address = "alice@example";
  c.address = "carol@example";
  c.notify = mail::kNotifyDelay | mail::kNotifyFailure;
  e.recipients = {a, c};
  return e;
}

// A whole file as format version 1 wrote it before the delay record existed.
std::string version1_file(const mail::Envelope& e, std::string_view content,
                          std::string_view states) {
  std::string envelope = *mail::encode_envelope(e);
  mail::QueueHeader h;
  h.envelope_length = envelope.size();
  h.content_length = content.size();
  h.envelope_crc = mail::crc32c(envelope);
  h.content_crc = mail::crc32c(content);
  return mail::encode_header(h) + envelope + std::string(content) + std::string(states);
}

TEST(DelayWarning, OldFilesWithoutTheRecordStillParse) {
  mail::Envelope e = two_recipients();
  std::string states =
      mail::encode_state_record({1, mail::RecipientState::kPending, 5, "452 4.2.2 Mailbox full"});
  auto old = mail::decode_queue_file(version1_file(e, "Subject: x\r\n\r\nhi\r\n", states));
  ASSERT_TRUE(old.ok()) << old.error().message;
  EXPECT_EQ(old->delay_warned_micros, 0u);
  EXPECT_EQ(old->recipients[1].attempts, 1u);
  EXPECT_EQ(old->recipients[1].last_reply, "452 4.2.2 Mailbox full");
}

TEST(DelayWarning, RecordIsReadBackAndTouchesNoRecipient) {
  mail::Envelope e = two_recipients();
  auto event = static_cast<mail::RecipientState>(mail::MessageEvent::kDelayWarned);
  std::string states =
      mail::encode_state_record({0, mail::RecipientState::kPending, 5, "452 4.2.2 full"}) +
      mail::encode_state_record({mail::kMessageEvent, event, 42, ""});
  auto parsed = mail::decode_queue_file(version1_file(e, "x\r\n", states));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->delay_warned_micros, 42u);
  EXPECT_EQ(parsed->recipients[0].attempts, 1u);
  EXPECT_EQ(parsed->recipients[1].attempts, 0u);
  // Any other state byte for the whole message is still corruption.
  std::string bad = mail::encode_state_record(
      {mail::kMessageEvent, static_cast<mail::RecipientState>(7), 42, ""});
  EXPECT_FALSE(mail::decode_queue_file(version1_file(e, "x\r\n", bad)).ok());
}

TEST(DelayWarning, QueueFileRecordsItDurably) {
  std::string pattern = (fs::temp_directory_path() / "gm_delay_test.XXXXXX").string();
  std::string root = ::mkdtemp(pattern.data());
  {
    auto store = mail::make_file_queue_store(root);
    ASSERT_TRUE(store->init().ok());
    mail::Envelope envelope = two_recipients();
    envelope.queue_id.clear();  // the store names it
    auto message = store->create(envelope);
    ASSERT_TRUE(message.ok()) << message.error().message;
    ASSERT_TRUE((*message)->append("Subject: x\r\n\r\nhi\r\n").ok());
    auto path = (*message)->commit();
    ASSERT_TRUE(path.ok()) << path.error().message;
    {
      auto file = mail::QueueFile::open(*path, true);
      ASSERT_TRUE(file.ok());
      EXPECT_EQ(file->envelope().delay_warned_micros, 0u);
      ASSERT_TRUE(file->record_state(1, mail::RecipientState::kPending, "452 4.2.2 x", 7).ok());
      ASSERT_TRUE(file->record_delay_warning(99).ok());
      EXPECT_EQ(file->envelope().delay_warned_micros, 99u);
    }
    auto again = mail::QueueFile::open(*path);
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(again->envelope().delay_warned_micros, 99u);
    EXPECT_EQ(again->envelope().recipients[1].last_reply, "452 4.2.2 x");
  }
  fs::remove_all(root);
}

TEST(DelayWarning, DsnSaysDelayedWithWillRetryUntil) {
  qmgr::DsnInput in;
  in.reporting_mta = "mail.example";
  in.queue_id = "Q1";
  in.original_sender = "bob@example";
  in.arrival_time = 0;
  in.now = 3600;
  in.will_retry_until = 5 * 86400;
  in.boundary = "Q1.3600";
  in.recipients = {{"carol@example", "", false, "4.2.2", "452 4.2.2 Mailbox full", true}};
  qmgr::DsnParts parts = qmgr::compose_dsn(in);
  const std::string& h = parts.head;
  EXPECT_NE(h.find("Subject: Delayed Mail (still being retried)\r\n"), std::string::npos);
  EXPECT_NE(h.find("Content-Type: multipart/report; report-type=delivery-status;"),
            std::string::npos);
  EXPECT_NE(h.find("Final-Recipient: rfc822; carol@example\r\nAction: delayed\r\n"
                   "Status: 4.2.2\r\n"),
            std::string::npos);
  EXPECT_NE(h.find("Diagnostic-Code: smtp; 452 4.2.2 Mailbox full\r\n"), std::string::npos);
  EXPECT_NE(h.find("Will-Retry-Until: Tue, 06 Jan 1970 00:00:00 +0000\r\n"), std::string::npos);
  EXPECT_NE(h.find("It will be retried until Tue, 06 Jan 1970"), std::string::npos);
  EXPECT_EQ(h.find("Action: failed"), std::string::npos);
  EXPECT_EQ(h.find("Undelivered Mail Returned"), std::string::npos);
  // A failure in the same report makes it a bounce, and only delayed ones get the field.
  in.recipients.push_back({"alice@example", "", false, "5.1.1", "550 5.1.1 unknown"});
  std::string mixed = qmgr::compose_dsn(in).head;
  EXPECT_NE(mixed.find("Subject: Undelivered Mail Returned to Sender"), std::string::npos);
  EXPECT_NE(mixed.find("Action: failed\r\nStatus: 5.1.1"), std::string::npos);
  EXPECT_EQ(mixed.find("Will-Retry-Until", mixed.find("alice@example\r\n")), std::string::npos);
}

}  // namespace
}  // namespace gm
