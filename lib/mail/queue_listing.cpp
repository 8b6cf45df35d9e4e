#include "mail/queue_listing.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/str.hpp"
#include "core/unique_fd.hpp"
#include "mail/maa_handoff.hpp"
#include "mail/queue_file.hpp"
#include "mail/queue_id.hpp"

namespace gm::mail {
namespace {

Result<std::vector<std::string>> queue_ids(const std::string& dir, bool missing_is_empty) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) {
    if (errno == ENOENT && missing_is_empty) return std::vector<std::string>();
    return make_error(str_cat("cannot read ", dir, ": ", std::strerror(errno)), errno);
  }
  std::vector<std::string> ids;
  while (const dirent* entry = ::readdir(d))
    if (is_valid_queue_id(entry->d_name)) ids.emplace_back(entry->d_name);
  ::closedir(d);
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace

Result<std::vector<QueueListing>> list_queue(const std::string& spool_dir, std::string_view queue) {
  std::string dir = str_cat(spool_dir, '/', queue);
  auto ids = queue_ids(dir, true);  // a queue not made yet holds nothing
  if (!ids) return ids.error();
  std::vector<QueueListing> out;
  for (const std::string& id : *ids) {
    QueueListing entry{std::string(queue), id, 0, {}, ""};
    if (auto file = QueueFile::open(str_cat(dir, '/', id))) {
      entry.size = file->content_length();
      entry.envelope = file->envelope();
    } else if (file.error().message.find("No such file") != std::string::npos) {
      continue;  // moved on by qmgr while we looked
    } else {
      entry.error = file.error().message;
    }
    out.push_back(std::move(entry));
  }
  return out;
}

Result<std::vector<QueueListing>> list_all_queues(const std::string& spool_dir) {
  std::vector<QueueListing> all;
  for (std::string_view queue : kListedQueues) {
    auto entries = list_queue(spool_dir, queue);
    if (!entries) return entries.error();
    for (QueueListing& entry : *entries) all.push_back(std::move(entry));
  }
  return all;
}

// Each field is '=' and its percent-encoding, so an empty one is still a
// field and none holds a space.
std::string encode_listing_line(const QueueListing& entry) {
  const Envelope& e = entry.envelope;
  std::string line;
  auto field = [&](std::string_view value) {
    if (!line.empty()) line += ' ';
    line += '=';
    line += percent_encode(value);
  };
  field(entry.queue);
  field(entry.id);
  field(str_cat(entry.size));
  field(str_cat(e.arrival_micros));
  field(e.sender);
  field(entry.error);
  for (const QueueRecipient& r : e.recipients) {
    if (r.state != RecipientState::kPending) continue;
    field(r.address);
    field(r.last_reply);
  }
  return line;
}

Result<QueueListing> decode_listing_line(std::string_view line) {
  std::vector<std::string> fields;
  for (const std::string& raw : split(line, " ")) {
    if (raw[0] != '=') return make_error("bad queue listing line");
    auto value = percent_decode(std::string_view(raw).substr(1));
    if (!value) return value.error();
    fields.push_back(std::move(*value));
  }
  if (fields.size() < 6 || (fields.size() - 6) % 2 != 0) return make_error("bad queue listing line");
  QueueListing entry;
  entry.queue = fields[0];
  entry.id = fields[1];
  auto size = parse_number<uint64_t>(fields[2]);
  auto arrival = parse_number<uint64_t>(fields[3]);
  if (!size || !arrival) return make_error("bad queue listing line");
  entry.size = *size;
  entry.envelope.arrival_micros = *arrival;
  entry.envelope.sender = fields[4];
  entry.error = fields[5];
  for (size_t i = 6; i < fields.size(); i += 2) {
    QueueRecipient r;
    r.address = fields[i];
    r.last_reply = fields[i + 1];
    entry.envelope.recipients.push_back(std::move(r));
  }
  return entry;
}

Result<std::string> find_queue_of(const std::string& spool_dir, std::string_view id) {
  if (!is_valid_queue_id(id)) return make_error(str_cat("bad queue id ", printable(id, 40)));
  for (std::string_view queue : kListedQueues) {
    struct stat st;
    if (::lstat(str_cat(spool_dir, '/', queue, '/', id).c_str(), &st) == 0)
      return std::string(queue);
  }
  return make_error(str_cat("no message ", id, " in the queue"), ENOENT);
}

}  // namespace gm::mail
