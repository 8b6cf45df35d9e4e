// Maildir++ delivery (https://cr.yp.to/proto/maildir.html, Courier's
// Maildir++ folders): INBOX is the Maildir root, folder "Sent" is root/.Sent
// with a "maildirfolder" marker file. A message is written under tmp/,
// fsync'ed, renamed into new/ and new/ fsync'ed: a crash leaves either no
// message or a whole one, never a partial file in new/.
// Every call blocks on the disk: use a worker thread, not the event loop.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "mail/file_sink.hpp"

namespace gm::mail {

// RFC 6154 special-use folders created for every new user besides INBOX.
inline constexpr std::array<std::string_view, 4> kDefaultFolders = {"Sent", "Drafts", "Trash",
                                                                    "Junk"};
inline constexpr size_t kMaxFolderName = 200;
inline constexpr size_t kMaildirWriteBuffer = 64 << 10;

// A Maildir++ folder name: not empty, no '/', no leading '.', no "..",
// no control characters. Sub-folders use '.' ("Archive.2024").
bool is_valid_folder_name(std::string_view name);
// "" or "INBOX" is the root; others are root/.<name>.
Result<std::string> folder_path(const std::string& root, std::string_view folder);
// Creates root/{cur,new,tmp} (INBOX) if missing, mode 0700.
Status create_maildir(const std::string& root);
// Creates a Maildir++ folder with its maildirfolder file (and INBOX first).
Status create_folder(const std::string& root, std::string_view folder);
// INBOX and kDefaultFolders, for a new user.
Status create_default_folders(const std::string& root);
// A new user's mailbox (create_default_folders), appearing whole: built
// under a temporary name beside root and renamed into place, so other
// deliveries see no root or a complete one (never root without tmp/ or
// new/). A root that exists already, or appears meanwhile, is kept as is.
Status create_new_mailbox(const std::string& root);

// The unique base name of a new message: "<sec>.M<usec>P<pid>Q<n>.<host>",
// the host with '/' and ':' escaped as \057 and \072 (as the spec asks).
std::string maildir_unique_name();

// One message being delivered into one folder.
class MaildirDelivery {
 public:
  static Result<MaildirDelivery> begin(const std::string& root, std::string_view folder = "");
  MaildirDelivery(MaildirDelivery&& other) noexcept;
  MaildirDelivery& operator=(MaildirDelivery&&) = delete;
  ~MaildirDelivery();

  Status append(std::string_view chunk);
  // fsync, rename to new/<name>,S=<size>, fsync new/. Returns the new path.
  Result<std::string> commit();
  void abort();

  uint64_t size() const { return size_; }
  size_t buffer_high_water() const { return sink_.high_water(); }

 private:
  MaildirDelivery(FileSink sink, std::string folder_dir, std::string name);

  FileSink sink_;
  std::string folder_dir_, name_;
  uint64_t size_ = 0;
  bool done_ = false;
};

}  // namespace gm::mail
