// One user's Maildir++ as IMAP sees it: the list of folders with their
// RFC 6154 special-use attributes, CREATE / DELETE / RENAME, subscriptions,
// and quota usage. Folder names are UTF-8 IMAP names with '/' as the
// hierarchy separator (see mailbox_name.hpp for the mapping to disk).
// Subscriptions are kept in root/subscriptions (Courier's and Dovecot's
// Maildir++ file: one IMAP name per line). Every call blocks on the disk.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "mail/maildir_quota.hpp"

namespace gm::mail {

inline constexpr size_t kMaxFolders = 10000;  // per user; CREATE refused beyond

enum class SpecialUse : uint8_t { kNone, kSent, kDrafts, kTrash, kJunk };
std::string_view special_use_attribute(SpecialUse use);  // "\\Sent", ... or ""

struct FolderInfo {
  std::string name;  // "INBOX", "Sent", "Archive/2024"
  SpecialUse special_use = SpecialUse::kNone;
  bool has_children = false;
  // A parent implied by "a/b" without its own directory ("a"): IMAP LIST
  // shows it with \NonExistent (RFC 9051 7.3.1).
  bool non_existent = false;
};

class MailboxStore {
 public:
  explicit MailboxStore(std::string maildir_root);

  const std::string& root() const { return root_; }
  // Every folder, INBOX first, then by name; implied parents included.
  Result<std::vector<FolderInfo>> list() const;
  // The folder directory for an IMAP name (refuses escapes); does not check
  // that it exists.
  Result<std::string> folder_dir(std::string_view imap_name_utf8) const;
  bool exists(std::string_view imap_name_utf8) const;

  // CREATE: also creates the missing parents ("a/b/c" creates a and a/b).
  // Error when it exists or the name is refused.
  Status create(std::string_view imap_name_utf8);
  // DELETE: removes the folder directory and its messages. INBOX cannot be
  // deleted; a folder with children cannot be deleted (we keep it simple:
  // RFC 9051 allows refusing, and we never leave \Noselect folders).
  Status remove(std::string_view imap_name_utf8);
  // RENAME: the folder and its children move (one rename each, no copy).
  // Renaming INBOX is refused (RFC 9051's "move all messages" case is
  // not supported: NO).
  Status rename(std::string_view from_utf8, std::string_view to_utf8);

  Status subscribe(std::string_view imap_name_utf8);
  Status unsubscribe(std::string_view imap_name_utf8);
  Result<std::vector<std::string>> subscriptions() const;

  // Usage from root/maildirsize (recalculated when the Maildir++ rules say so).
  Result<QuotaUsage> quota_usage(const MaildirQuota& quota) const;

 private:
  std::string root_;
};

}  // namespace gm::mail
