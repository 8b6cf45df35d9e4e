#include "mail/mailbox_store.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <set>

#include "core/durable_file.hpp"
#include "core/str.hpp"
#include "mail/file_sink.hpp"
#include "mail/mailbox_name.hpp"
#include "mail/maildir.hpp"

namespace gm::mail {
namespace {

constexpr size_t kMaxSubscriptionsFile = 1 << 20;

bool is_directory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

SpecialUse special_use_of(std::string_view name) {
  if (name == "Sent") return SpecialUse::kSent;
  if (name == "Drafts") return SpecialUse::kDrafts;
  if (name == "Trash") return SpecialUse::kTrash;
  if (name == "Junk") return SpecialUse::kJunk;
  return SpecialUse::kNone;
}

// The IMAP names of every folder directory under the root (not INBOX).
Result<std::set<std::string>> folder_names(const std::string& root) {
  DIR* dir = ::opendir(root.c_str());
  if (dir == nullptr) return storage_error("opendir", root);
  std::set<std::string> names;
  while (dirent* entry = ::readdir(dir)) {
    if (names.size() >= kMaxFolders) break;
    auto name = mailbox_name_from_dir(entry->d_name);
    if (name && is_directory(str_cat(root, "/", entry->d_name))) names.insert(std::move(*name));
  }
  ::closedir(dir);
  return names;
}

bool has_child(const std::set<std::string>& names, const std::string& name) {
  std::string prefix = name + "/";
  auto it = names.lower_bound(prefix);
  return it != names.end() && it->starts_with(prefix);
}

// One name per line, written whole (temp + fsync + rename).
Status write_subscriptions(const std::string& root, const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& line : names) text += line + "\n";
  return core::write_file_durably(root + "/subscriptions", text, 0600);
}

std::vector<std::string> parents_of(std::string_view name) {
  std::vector<std::string> out;
  for (size_t slash = name.find('/'); slash != std::string_view::npos;
       slash = name.find('/', slash + 1))
    out.emplace_back(name.substr(0, slash));
  return out;
}

}  // namespace

std::string_view special_use_attribute(SpecialUse use) {
  switch (use) {
    case SpecialUse::kSent:
      return "\\Sent";
    case SpecialUse::kDrafts:
      return "\\Drafts";
    case SpecialUse::kTrash:
      return "\\Trash";
    case SpecialUse::kJunk:
      return "\\Junk";
    case SpecialUse::kNone:
      break;
  }
  return "";
}

MailboxStore::MailboxStore(std::string maildir_root) : root_(std::move(maildir_root)) {}

Result<std::vector<FolderInfo>> MailboxStore::list() const {
  auto names = folder_names(root_);
  if (!names) return names.error();
  std::set<std::string> implied;
  for (const std::string& name : *names)
    for (std::string& parent : parents_of(name))
      if (!names->count(parent) && parent != "INBOX") implied.insert(std::move(parent));
  std::set<std::string> all = *names;
  all.insert(implied.begin(), implied.end());
  std::vector<FolderInfo> out;
  out.push_back(FolderInfo{"INBOX", SpecialUse::kNone, has_child(all, "INBOX"), false});
  for (const std::string& name : all) {
    FolderInfo info{name, special_use_of(name), has_child(all, name), implied.count(name) != 0};
    out.push_back(std::move(info));
  }
  return out;
}

Result<std::string> MailboxStore::folder_dir(std::string_view imap_name_utf8) const {
  auto dir = mailbox_dir_name(imap_name_utf8);
  if (!dir) return dir;
  return dir->empty() ? root_ : str_cat(root_, "/", *dir);
}

bool MailboxStore::exists(std::string_view imap_name_utf8) const {
  auto dir = folder_dir(imap_name_utf8);
  return dir && is_directory(*dir);
}

Status MailboxStore::create(std::string_view imap_name_utf8) {
  auto name = normalize_mailbox_name(imap_name_utf8);
  if (!name) return name.error();
  if (exists(*name)) return make_error("mailbox already exists");
  auto names = folder_names(root_);
  if (names && names->size() >= kMaxFolders) return make_error("too many mailboxes");
  std::vector<std::string> chain = parents_of(*name);
  chain.push_back(*name);
  for (const std::string& folder : chain) {
    if (folder == "INBOX") continue;
    auto dir = mailbox_dir_name(folder);
    if (!dir) return dir.error();
    if (auto status = create_folder(root_, std::string_view(*dir).substr(1)); !status)
      return status;
  }
  return {};
}

Status MailboxStore::remove(std::string_view imap_name_utf8) {
  auto name = normalize_mailbox_name(imap_name_utf8);
  if (!name) return name.error();
  if (*name == "INBOX") return make_error("INBOX cannot be deleted");
  auto dir = folder_dir(*name);
  if (!dir) return dir.error();
  if (!is_directory(*dir)) return make_error("no such mailbox");
  auto names = folder_names(root_);
  if (!names) return names.error();
  if (has_child(*names, *name)) return make_error("mailbox has children");
  // Out of sight first ("..": never a folder name), then removed: a crash
  // in between leaves no half-deleted folder in LIST.
  static std::atomic<uint32_t> counter{0};
  std::string doomed = str_cat(root_, "/..gm-deleted.", maildir_unique_name(), ++counter);
  if (::rename(dir->c_str(), doomed.c_str()) != 0) return storage_error("rename", *dir);
  std::error_code error;
  std::filesystem::remove_all(doomed, error);
  if (error) return make_error(str_cat("remove ", doomed, ": ", error.message()));
  return core::fsync_directory(root_);
}

Status MailboxStore::rename(std::string_view from_utf8, std::string_view to_utf8) {
  auto from = normalize_mailbox_name(from_utf8);
  if (!from) return from.error();
  auto to = normalize_mailbox_name(to_utf8);
  if (!to) return to.error();
  if (*from == "INBOX") return make_error("renaming INBOX is not supported");
  if (*to == "INBOX" || exists(*to)) return make_error("target mailbox already exists");
  if (!exists(*from)) return make_error("no such mailbox");
  if (to->starts_with(*from + "/")) return make_error("cannot move a mailbox under itself");
  auto names = folder_names(root_);
  if (!names) return names.error();
  for (const std::string& parent : parents_of(*to))
    if (parent != "INBOX" && !exists(parent))
      if (auto status = create(parent); !status) return status;
  std::vector<std::string> moving{*from};
  for (const std::string& name : *names)
    if (name.starts_with(*from + "/")) moving.push_back(name);
  for (const std::string& old_name : moving) {
    std::string new_name = *to + old_name.substr(from->size());
    auto old_dir = folder_dir(old_name);
    auto new_dir = folder_dir(new_name);
    if (!old_dir || !new_dir) return make_error("mailbox name too long after rename");
    if (::rename(old_dir->c_str(), new_dir->c_str()) != 0) return storage_error("rename", *old_dir);
  }
  return core::fsync_directory(root_);
}

Result<std::vector<std::string>> MailboxStore::subscriptions() const {
  auto text = core::read_file(root_ + "/subscriptions", kMaxSubscriptionsFile);
  if (!text) return std::vector<std::string>{};  // none yet
  std::vector<std::string> out;
  for (const std::string& line : split(*text, "\n"))
    if (auto name = normalize_mailbox_name(line)) out.push_back(std::move(*name));
  return out;
}

Status MailboxStore::subscribe(std::string_view imap_name_utf8) {
  auto name = normalize_mailbox_name(imap_name_utf8);
  if (!name) return name.error();
  auto current = subscriptions();
  if (!current) return current.error();
  if (std::find(current->begin(), current->end(), *name) != current->end()) return {};
  current->push_back(std::move(*name));
  return write_subscriptions(root_, *current);
}

Status MailboxStore::unsubscribe(std::string_view imap_name_utf8) {
  auto name = normalize_mailbox_name(imap_name_utf8);
  if (!name) return name.error();
  auto current = subscriptions();
  if (!current) return current.error();
  auto it = std::find(current->begin(), current->end(), *name);
  if (it == current->end()) return make_error("not subscribed");
  current->erase(it);
  return write_subscriptions(root_, *current);
}

Result<QuotaUsage> MailboxStore::quota_usage(const MaildirQuota& quota) const {
  return mail::quota_usage(root_, quota);
}

}  // namespace gm::mail
