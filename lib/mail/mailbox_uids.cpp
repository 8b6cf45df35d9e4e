#include "mail/mailbox_uids.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "core/durable_file.hpp"
#include "core/str.hpp"
#include "core/unique_fd.hpp"
#include "mail/file_sink.hpp"
#include "mail/mailbox_folder.hpp"

namespace gm::mail {
namespace {

std::string format_lines(const std::vector<UidAssignment>& entries) {
  std::string out;
  for (const auto& [uid, basename] : entries) out += str_cat(uid, ' ', basename, '\n');
  return out;
}

}  // namespace

Result<UidList> read_uid_list(const std::string& path) {
  auto text = core::read_file(path, kMaxIndexFile);
  if (!text) return text.error();
  std::string_view rest = *text;
  size_t end = rest.find('\n');
  if (end == std::string_view::npos) return make_error("gm-uids: no header");
  auto header = split(rest.substr(0, end), " ");
  rest.remove_prefix(end + 1);
  UidList list;
  if (header.size() != 4 || header[0] != "GMUIDS" || header[1] != "1")
    return make_error("gm-uids: bad header");
  auto validity = parse_number<uint32_t>(header[2]);
  auto next = parse_number<uint32_t>(header[3]);
  if (!validity || !next || *validity == 0 || *next == 0) return make_error("gm-uids: bad header");
  list.uid_validity = *validity;
  list.uid_next = *next;
  while ((end = rest.find('\n')) != std::string_view::npos) {
    std::string_view line = rest.substr(0, end);
    rest.remove_prefix(end + 1);
    size_t space = line.find(' ');
    if (space == std::string_view::npos) continue;
    auto uid = parse_number<uint32_t>(line.substr(0, space));
    std::string_view basename = line.substr(space + 1);
    if (!uid || *uid == 0 || *uid == UINT32_MAX || basename.empty()) continue;
    list.by_basename[std::string(basename)] = *uid;
    if (*uid >= list.uid_next) list.uid_next = *uid + 1;
  }
  return list;
}

Status write_uid_list(const std::string& path, uint32_t uid_validity, uint32_t uid_next,
                      const std::vector<UidAssignment>& live) {
  return core::write_file_durably(
      path, str_cat("GMUIDS 1 ", uid_validity, ' ', uid_next, '\n', format_lines(live)), 0600);
}

Status append_uid_list(const std::string& path, const std::vector<UidAssignment>& added) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) return storage_error("open", path);
  std::string lines = format_lines(added);
  if (::write(fd.get(), lines.data(), lines.size()) != static_cast<ssize_t>(lines.size()))
    return storage_error("append", path);
  if (::fdatasync(fd.get()) != 0) return storage_error("fdatasync", path);
  return {};
}

}  // namespace gm::mail
