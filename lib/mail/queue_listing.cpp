#include "mail/queue_listing.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/str.hpp"
#include "core/unique_fd.hpp"
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
