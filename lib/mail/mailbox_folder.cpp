#include "mail/mailbox_folder.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <unordered_map>

#include "core/durable_file.hpp"
#include "core/str.hpp"
#include "mail/file_sink.hpp"
#include "mail/mailbox_filename.hpp"
#include "mail/mailbox_folder_state.hpp"
#include "mail/mailbox_keywords.hpp"
#include "mail/mailbox_uids.hpp"
#include "mail/maildir_quota.hpp"

namespace gm::mail {
namespace {

int64_t mtime_of(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

int64_t dir_mtime(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 ? mtime_of(st) : -1;
}

// A directory's mtime as a scan may record it: 0 while it is too young.
int64_t settled(int64_t mtime) {
  return mtime > 0 && now_ns() - mtime >= kMtimeSettleNs ? mtime : 0;
}

Result<UniqueFd> open_dir(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return storage_error("open", path);
  return fd;
}

Result<std::vector<std::string>> list_messages(const std::string& path) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return storage_error("opendir", path);
  std::vector<std::string> names;
  while (dirent* entry = ::readdir(dir))
    if (is_message_filename(entry->d_name)) names.emplace_back(entry->d_name);
  ::closedir(dir);
  return names;
}

// Size from ",S=" when present, else (and always for the date) fstatat.
Result<NewFile> describe(int dir_fd, std::string filename, const std::string& dir) {
  struct stat st {};
  if (::fstatat(dir_fd, filename.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return storage_error("stat", str_cat(dir, "/", filename));
  NewFile file;
  file.size = parse_maildir_name(filename).size.value_or(static_cast<uint64_t>(st.st_size));
  file.internal_date = st.st_mtim.tv_sec;
  file.filename = std::move(filename);
  return file;
}

// The Maildir++ root holding maildirsize: the parent of a folder with the
// "maildirfolder" marker, else the directory itself (INBOX).
std::string quota_root_of(const std::string& dir) {
  struct stat st {};
  if (::stat((dir + "/maildirfolder").c_str(), &st) == 0) return core::parent_directory(dir);
  return dir;
}

}  // namespace

FileStamp stamp_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  return {mtime_of(st), st.st_ino, st.st_size};
}

FileStamp stamp_of(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return {};
  return {mtime_of(st), st.st_ino, st.st_size};
}

uint64_t modseq_floor(uint64_t known_highest) {
  using namespace std::chrono;
  auto micros = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  return std::max(known_highest + 1, static_cast<uint64_t>(micros));
}

int64_t now_ns() {
  using namespace std::chrono;
  return duration_cast<nanoseconds>(system_clock::now().time_since_epoch()).count();
}

Result<FolderLock> FolderLock::take(int lock_fd) {
  while (::flock(lock_fd, LOCK_EX) != 0)
    if (errno != EINTR) return make_error(str_cat("flock: ", std::strerror(errno)));
  return FolderLock(lock_fd);
}

FolderLock::~FolderLock() {
  if (fd_ >= 0) ::flock(fd_, LOCK_UN);
}

MessageRecord* MailboxFolder::State::find(uint32_t uid) {
  auto& m = index.messages;
  auto it = std::lower_bound(m.begin(), m.end(), uid,
                             [](const MessageRecord& r, uint32_t u) { return r.uid < u; });
  return it != m.end() && it->uid == uid ? &*it : nullptr;
}

bool MailboxFolder::State::cur_covered() const {
  return index.cur_mtime_ns != 0 && dir_mtime(cur_fd.get()) == index.cur_mtime_ns;
}

void MailboxFolder::State::cover_cur_after_own_change(bool was_covered) {
  index.cur_mtime_ns = was_covered ? dir_mtime(cur_fd.get()) : 0;
}

void MailboxFolder::State::report_own_change(uint32_t uid, uint64_t modseq) {
  auto it = std::lower_bound(reported.begin(), reported.end(), std::make_pair(uid, uint64_t{0}));
  if (it != reported.end() && it->first == uid)
    it->second = modseq;
  else
    reported.insert(it, {uid, modseq});
}

Status MailboxFolder::State::assign_uids(std::vector<NewFile>& files, std::vector<uint32_t>& uids) {
  std::vector<UidAssignment> fresh;
  for (NewFile& file : files) {
    std::string_view basename = parse_maildir_name(file.filename).basename;
    auto known = rebuild_uids.find(std::string(basename));
    uint32_t uid = 0;
    if (known != rebuild_uids.end() && known->second < index.uid_next) {
      uid = known->second;
      rebuild_uids.erase(known);  // a basename listed twice keeps its first UID only once
    } else {
      if (index.uid_next == UINT32_MAX)
        return make_error("UID space exhausted: rebuild the folder");
      uid = index.uid_next++;
      fresh.push_back({uid, basename});
    }
    uids.push_back(uid);
  }
  if (!fresh.empty())
    if (auto status = append_uid_list(uids_path, fresh); !status) return status;
  uint64_t modseq = modseq_for_change();
  for (size_t i = 0; i < files.size(); ++i) {
    MaildirName name = parse_maildir_name(files[i].filename);
    index.messages.push_back(MessageRecord{uids[i], modseq, files[i].size, files[i].internal_date,
                                           name.flags, name.keyword_bits,
                                           std::move(files[i].filename)});
    log_batch.add_message(index.messages.back());
  }
  auto& m = index.messages;
  std::sort(m.begin(), m.end(), [](const auto& a, const auto& b) { return a.uid < b.uid; });
  return {};
}

Result<std::vector<uint32_t>> MailboxFolder::State::add_own_messages(std::vector<NewFile> files) {
  std::vector<uint32_t> uids;
  if (auto status = assign_uids(files, uids); !status) return status.error();
  for (uint32_t uid : uids) report_own_change(uid, batch_modseq);
  return uids;
}

namespace {

// new/ -> cur/ with an empty info part, as every Maildir reader does.
Result<std::vector<NewFile>> take_new(MailboxFolder::State& s) {
  auto names = list_messages(s.new_dir);
  if (!names) return names.error();
  std::vector<NewFile> taken;
  for (const std::string& name : *names) {
    std::string target = name.find(':') == std::string::npos ? name + ":2," : name;
    if (::renameat2(s.new_fd.get(), name.c_str(), s.cur_fd.get(), target.c_str(),
                    RENAME_NOREPLACE) != 0)
      continue;  // taken by another program meanwhile, or a clash: the cur/ scan decides
    auto file = describe(s.cur_fd.get(), target, s.cur_dir);
    if (file) taken.push_back(std::move(*file));
  }
  return taken;
}

// Compares cur/ with the index: renamed (flags changed), vanished
// (expunged) and unknown (new) files.
Result<std::vector<NewFile>> scan_cur(MailboxFolder::State& s, bool& changed) {
  auto names = list_messages(s.cur_dir);
  if (!names) return names.error();
  auto& messages = s.index.messages;
  std::unordered_map<std::string_view, size_t> by_basename;
  by_basename.reserve(messages.size());
  for (size_t i = 0; i < messages.size(); ++i)
    by_basename.emplace(parse_maildir_name(messages[i].filename).basename, i);
  std::vector<bool> present(messages.size(), false);
  std::vector<std::string> unknown;
  std::vector<std::pair<size_t, std::string>> renamed;
  for (std::string& name : *names) {
    auto it = by_basename.find(parse_maildir_name(name).basename);
    if (it == by_basename.end() || present[it->second]) {
      unknown.push_back(std::move(name));
      continue;
    }
    present[it->second] = true;
    if (messages[it->second].filename != name) renamed.emplace_back(it->second, std::move(name));
  }
  by_basename.clear();
  for (auto& [i, name] : renamed) {
    MaildirName parsed = parse_maildir_name(name);
    messages[i].flags = parsed.flags;
    messages[i].keyword_bits = parsed.keyword_bits;
    messages[i].filename = std::move(name);
    messages[i].modseq = s.modseq_for_change();
    s.log_batch.change_message(messages[i]);
    changed = true;
  }
  size_t kept = 0;
  for (size_t i = 0; i < messages.size(); ++i) {
    if (present[i]) {
      if (kept != i) messages[kept] = std::move(messages[i]);
      ++kept;
      continue;
    }
    s.index.expunged.push_back({messages[i].uid, s.modseq_for_change()});
    s.log_batch.expunge(s.index.expunged.back());
    changed = true;
  }
  messages.resize(kept);
  std::vector<NewFile> added;
  for (std::string& name : unknown) {
    auto file = describe(s.cur_fd.get(), std::move(name), s.cur_dir);
    if (file) added.push_back(std::move(*file));
  }
  return added;
}

// gm-uids appended by a writer that crashed before writing gm-index, lost,
// or from another UIDVALIDITY: make the two agree before any UID is handed
// out. Returns false when the index must be rebuilt.
Result<bool> reconcile_uid_list(MailboxFolder::State& s) {
  FileStamp uids = stamp_of(s.uids_path);
  if (uids.size == s.index.uids_size) return true;
  auto list = read_uid_list(s.uids_path);
  if (!list) {  // lost or unreadable: the index still knows every live UID
    std::vector<UidAssignment> live;
    for (const MessageRecord& m : s.index.messages)
      live.push_back({m.uid, parse_maildir_name(m.filename).basename});
    if (auto status = write_uid_list(s.uids_path, s.index.uid_validity, s.index.uid_next, live);
        !status)
      return status.error();
    return true;
  }
  if (list->uid_validity != s.index.uid_validity) return false;
  s.index.uid_next = std::max(s.index.uid_next, list->uid_next);
  for (const MessageRecord& m : s.index.messages)
    list->by_basename.erase(std::string(parse_maildir_name(m.filename).basename));
  s.rebuild_uids = std::move(list->by_basename);
  return true;
}

// Both files describe a folder from scratch: UIDs from gm-uids when it is
// readable, else a new UIDVALIDITY; every MODSEQ above any handed out.
Status reset_index(MailboxFolder::State& s) {
  uint32_t old_validity = s.index.uid_validity;
  MailboxIndex fresh;
  fresh.generation = s.index.generation;
  fresh.highest_modseq = modseq_floor(s.index.highest_modseq) - 1;
  fresh.vanished_complete_above = fresh.highest_modseq + 1;
  auto list = read_uid_list(s.uids_path);
  if (list) {
    fresh.uid_validity = list->uid_validity;
    fresh.uid_next = list->uid_next;
    s.rebuild_uids = std::move(list->by_basename);
  } else {
    auto now = static_cast<uint32_t>(::time(nullptr));
    fresh.uid_validity = std::max(now, old_validity + 1);
    if (auto status = write_uid_list(s.uids_path, fresh.uid_validity, 1, {}); !status)
      return status;
  }
  s.index = std::move(fresh);
  s.rewrite_index = true;
  return {};
}

}  // namespace

Status MailboxFolder::State::refresh_locked() {
  batch_modseq = 0;
  if (!log_batch.empty()) {  // an earlier change failed half-way: record the whole state
    rewrite_index = true;
    log_batch.clear();
  }
  bool rebuilt = false;
  IndexLoad load = load_index();
  if (load == IndexLoad::kLoaded) unreported = true;
  if (load == IndexLoad::kUnusable) {
    if (auto status = reset_index(*this); !status) return status;
    rebuilt = true;
  } else {
    auto agreed = reconcile_uid_list(*this);
    if (!agreed) return agreed.error();
    if (!*agreed) {
      if (auto status = reset_index(*this); !status) return status;
      rebuilt = true;
    }
  }
  keywords = read_keywords(keywords_path);
  bool changed = rebuilt;
  std::vector<NewFile> added;
  bool covered = cur_covered();
  if (!covered || !rebuild_uids.empty()) {
    int64_t before = dir_mtime(cur_fd.get());
    clock_modseq = true;
    auto found = scan_cur(*this, changed);
    if (!found) return found.error();
    added = std::move(*found);
    changed |= settled(before) != index.cur_mtime_ns;
    index.cur_mtime_ns = settled(before);
    covered = index.cur_mtime_ns != 0;
  }
  int64_t new_before = dir_mtime(new_fd.get());
  if (index.new_mtime_ns == 0 || new_before != index.new_mtime_ns) {
    auto taken = take_new(*this);
    if (!taken) return taken.error();
    if (!taken->empty()) cover_cur_after_own_change(covered);
    for (NewFile& file : *taken) added.push_back(std::move(file));
    int64_t covered_new = taken->empty() ? settled(new_before) : 0;
    changed |= covered_new != index.new_mtime_ns;
    index.new_mtime_ns = covered_new;
  }
  if (!added.empty()) {
    // Delivery order: the time in the name when it has one (to the
    // microsecond), else the internal date; then the name.
    auto delivered = [](const NewFile& f) {
      return maildir_delivery_time(f.filename).value_or(DeliveryTime{f.internal_date, 0});
    };
    std::sort(added.begin(), added.end(), [&](const NewFile& a, const NewFile& b) {
      DeliveryTime ta = delivered(a), tb = delivered(b);
      return std::tie(ta, a.filename) < std::tie(tb, b.filename);
    });
    std::vector<uint32_t> uids;
    if (auto status = assign_uids(added, uids); !status) return status;
    changed = true;
  }
  rebuild_uids.clear();
  trim_expunged(index);
  batch_modseq = 0;
  clock_modseq = false;
  if (!changed && !rewrite_index) return {};
  unreported |= changed;
  return write_index();
}

Result<FolderLock> MailboxFolder::State::lock_and_refresh() {
  auto lock = FolderLock::take(lock_fd.get());
  if (!lock) return lock;
  if (auto status = refresh_locked(); !status) return status.error();
  return lock;
}

bool MailboxFolder::State::up_to_date() const {
  return index.uid_validity != 0 && !unreported && index.new_mtime_ns != 0 &&
         index.cur_mtime_ns != 0 && dir_mtime(new_fd.get()) == index.new_mtime_ns &&
         dir_mtime(cur_fd.get()) == index.cur_mtime_ns && stamp_of(index_path) == seen_index &&
         stamp_of(log_path) == seen_log;
}

MailboxFolder::Changes MailboxFolder::State::take_changes() {
  Changes out;
  out.uid_validity_changed = reported_validity != 0 && reported_validity != index.uid_validity;
  const auto& now = index.messages;
  size_t i = 0, j = 0;
  while (i < reported.size() || j < now.size()) {
    if (j == now.size() || (i < reported.size() && reported[i].first < now[j].uid)) {
      out.expunged.push_back(reported[i++].first);
    } else if (i == reported.size() || now[j].uid < reported[i].first) {
      ++out.added;
      ++j;
    } else {
      if (reported[i].second != now[j].modseq) out.flags_changed.push_back(now[j].uid);
      ++i;
      ++j;
    }
  }
  reported.clear();
  reported.reserve(now.size());
  for (const MessageRecord& m : now) reported.emplace_back(m.uid, m.modseq);
  reported_validity = index.uid_validity;
  unreported = false;
  return out;
}

Result<MailboxFolder::Changes> MailboxFolder::sync() {
  State& s = *state_;
  if (s.up_to_date()) return Changes{};
  auto lock = s.lock_and_refresh();
  if (!lock) return lock.error();
  if (!s.unreported) return Changes{};
  return s.take_changes();
}

MailboxFolder::MailboxFolder(std::string dir) : dir_(std::move(dir)), state_(new State) {}
MailboxFolder::~MailboxFolder() = default;

Result<std::unique_ptr<MailboxFolder>> MailboxFolder::open(const std::string& folder_dir) {
  struct stat st {};
  if (::stat(folder_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return make_error(str_cat("no such folder: ", printable(folder_dir)));
  std::unique_ptr<MailboxFolder> folder(new MailboxFolder(folder_dir));
  State& s = *folder->state_;
  s.dir = folder_dir;
  s.cur_dir = folder_dir + "/cur";
  s.new_dir = folder_dir + "/new";
  s.index_path = folder_dir + "/gm-index";
  s.log_path = folder_dir + "/gm-index.log";
  s.uids_path = folder_dir + "/gm-uids";
  s.keywords_path = folder_dir + "/dovecot-keywords";
  s.quota_root = quota_root_of(folder_dir);
  for (const char* sub : {"/cur", "/new", "/tmp"})
    if (::mkdir((folder_dir + sub).c_str(), 0700) != 0 && errno != EEXIST)
      return storage_error("mkdir", folder_dir + sub);
  std::string lock_path = folder_dir + "/gm-lock";
  s.lock_fd.reset(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!s.lock_fd) return storage_error("open", lock_path);
  auto cur = open_dir(s.cur_dir);
  if (!cur) return cur.error();
  s.cur_fd = std::move(*cur);
  auto fresh = open_dir(s.new_dir);
  if (!fresh) return fresh.error();
  s.new_fd = std::move(*fresh);
  // Without the lock first: a current index needs no writer's attention.
  if (s.load_index() == IndexLoad::kLoaded) s.keywords = read_keywords(s.keywords_path);
  if (!s.up_to_date())
    if (auto lock = s.lock_and_refresh(); !lock) return lock.error();
  s.take_changes();
  return folder;
}

uint32_t MailboxFolder::uid_validity() const {
  return state_->index.uid_validity;
}
uint32_t MailboxFolder::uid_next() const {
  return state_->index.uid_next;
}
uint64_t MailboxFolder::highest_modseq() const {
  return state_->index.highest_modseq;
}
std::span<const MessageRecord> MailboxFolder::messages() const {
  return state_->index.messages;
}
const std::vector<std::string>& MailboxFolder::keyword_names() const {
  return state_->keywords;
}

const MessageRecord* MailboxFolder::find(uint32_t uid) const {
  return state_->find(uid);
}

std::vector<std::string> MailboxFolder::keywords_of(const MessageRecord& message) const {
  std::vector<std::string> names;
  for (size_t i = 0; i < state_->keywords.size(); ++i)
    if ((message.keyword_bits & (1u << i)) && !state_->keywords[i].empty())
      names.push_back(state_->keywords[i]);
  return names;
}

Result<uint32_t> MailboxFolder::State::keyword_bits_for(std::span<const std::string> names) {
  uint32_t bits = 0;
  bool added = false;
  for (const std::string& name : names) {
    if (!is_valid_keyword(name)) return make_error(str_cat("bad keyword ", printable(name, 60)));
    int index_of = keyword_index(keywords, name);
    if (index_of < 0) {
      auto slot = std::find(keywords.begin(), keywords.end(), std::string());
      if (slot == keywords.end()) {
        if (keywords.size() >= kMaxKeywords) return make_error("too many keywords in this folder");
        slot = keywords.insert(keywords.end(), std::string());
      }
      *slot = name;
      index_of = static_cast<int>(slot - keywords.begin());
      added = true;
    }
    bits |= 1u << index_of;
  }
  if (added)
    if (auto status = write_keywords(keywords_path, keywords); !status) return status.error();
  return bits;
}

namespace {

std::pair<uint8_t, uint32_t> apply_store(StoreMode mode, const MessageRecord& m, uint8_t flags,
                                         uint32_t bits) {
  switch (mode) {
    case StoreMode::kReplace:
      return {static_cast<uint8_t>((m.flags & kMaildirPassed) | flags), bits};
    case StoreMode::kAdd:
      return {static_cast<uint8_t>(m.flags | flags), m.keyword_bits | bits};
    case StoreMode::kRemove:
      return {static_cast<uint8_t>(m.flags & ~flags), m.keyword_bits & ~bits};
  }
  return {m.flags, m.keyword_bits};
}

}  // namespace

Result<std::vector<uint32_t>> MailboxFolder::store(std::span<const uint32_t> uids, StoreMode mode,
                                                   uint8_t flags,
                                                   std::span<const std::string> keywords,
                                                   std::optional<uint64_t> unchanged_since) {
  State& s = *state_;
  auto lock = s.lock_and_refresh();
  if (!lock) return lock.error();
  auto bits = s.keyword_bits_for(keywords);
  if (!bits) return bits.error();
  flags &= kAllFlags;
  std::vector<uint32_t> modified;
  bool covered = s.cur_covered(), changed = false;
  for (uint32_t uid : uids) {
    MessageRecord* m = s.find(uid);
    if (m == nullptr) continue;
    if (unchanged_since && m->modseq > *unchanged_since) {
      modified.push_back(uid);
      continue;
    }
    auto [new_flags, new_bits] = apply_store(mode, *m, flags, *bits);
    if (new_flags == m->flags && new_bits == m->keyword_bits) continue;
    std::string name = maildir_name(parse_maildir_name(m->filename).basename, new_flags, new_bits);
    if (::renameat(s.cur_fd.get(), m->filename.c_str(), s.cur_fd.get(), name.c_str()) != 0) {
      covered = false;  // renamed or removed by another program: the next scan decides
      continue;
    }
    m->filename = std::move(name);
    m->flags = new_flags;
    m->keyword_bits = new_bits;
    m->modseq = s.modseq_for_change();
    s.log_batch.change_message(*m);
    s.report_own_change(uid, m->modseq);
    changed = true;
  }
  if (!changed && covered) return modified;
  s.cover_cur_after_own_change(covered);
  if (auto status = s.write_index(); !status) return status.error();
  return modified;
}

Status MailboxFolder::expunge(std::span<const uint32_t> uids) {
  State& s = *state_;
  auto lock = s.lock_and_refresh();
  if (!lock) return lock.error();
  bool covered = s.cur_covered();
  int64_t bytes = 0, count = 0;
  for (uint32_t uid : uids) {
    MessageRecord* m = s.find(uid);
    if (m == nullptr || m->modseq == 0) continue;
    if (::unlinkat(s.cur_fd.get(), m->filename.c_str(), 0) != 0) {
      covered = false;
      continue;
    }
    s.index.expunged.push_back({uid, s.modseq_for_change()});
    s.log_batch.expunge(s.index.expunged.back());
    m->modseq = 0;  // marks the record for removal below
    bytes += static_cast<int64_t>(m->size);
    ++count;
  }
  if (count == 0 && covered) return {};
  auto& messages = s.index.messages;
  std::erase_if(messages, [](const MessageRecord& m) { return m.modseq == 0; });
  std::erase_if(s.reported, [&](const auto& r) { return s.find(r.first) == nullptr; });
  trim_expunged(s.index);
  s.cover_cur_after_own_change(covered);
  if (auto status = s.compact_uid_list(); !status) return status;
  if (auto status = s.write_index(); !status) return status;
  return record_quota_change(s.quota_root, -bytes, -count);
}

Status MailboxFolder::State::compact_uid_list() {
  FileStamp uids = stamp_of(uids_path);
  int64_t live_bytes = 0;
  for (const MessageRecord& m : index.messages)
    live_bytes += static_cast<int64_t>(parse_maildir_name(m.filename).basename.size()) + 12;
  if (uids.size < kUidListCompactAt || uids.size < 2 * live_bytes) return {};
  std::vector<UidAssignment> live;
  for (const MessageRecord& m : index.messages)
    live.push_back({m.uid, parse_maildir_name(m.filename).basename});
  return write_uid_list(uids_path, index.uid_validity, index.uid_next, live);
}

std::optional<std::vector<ExpungedRecord>> MailboxFolder::vanished_since(uint64_t modseq) const {
  const MailboxIndex& index = state_->index;
  if (modseq < index.vanished_complete_above) return std::nullopt;
  std::vector<ExpungedRecord> out;
  for (const ExpungedRecord& x : index.expunged)
    if (x.modseq > modseq) out.push_back(x);
  return out;
}

std::string MailboxFolder::path_of(uint32_t uid) const {
  const MessageRecord* m = find(uid);
  return m == nullptr ? std::string() : str_cat(state_->cur_dir, "/", m->filename);
}

Result<UniqueFd> MailboxFolder::open_message(uint32_t uid) const {
  const MessageRecord* m = find(uid);
  if (m == nullptr) return make_error(str_cat("no message with UID ", uid));
  constexpr int kFlags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW;
  UniqueFd fd(::openat(state_->cur_fd.get(), m->filename.c_str(), kFlags));
  if (fd || errno != ENOENT) {
    if (!fd) return storage_error("open", path_of(uid));
    return fd;
  }
  // Renamed by another session since our last sync: same basename, other flags.
  std::string_view basename = parse_maildir_name(m->filename).basename;
  auto names = list_messages(state_->cur_dir);
  if (!names) return names.error();
  for (const std::string& name : *names)
    if (parse_maildir_name(name).basename == basename) {
      fd.reset(::openat(state_->cur_fd.get(), name.c_str(), kFlags));
      if (fd) return fd;
    }
  return make_error(str_cat("message UID ", uid, " was expunged"));
}

}  // namespace gm::mail
