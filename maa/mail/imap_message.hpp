// One message as FETCH, SEARCH and SORT read it: the index record, and -
// only when a command needs the content - the open file and its MIME
// structure, parsed once per message per command. Header fields come from
// the process's HeaderCache when one is given. Reading blocks on the disk.
#pragma once

#include <optional>
#include <string>

#include "core/result.hpp"
#include "core/unique_fd.hpp"
#include "mail/header_cache.hpp"
#include "mail/mailbox_folder.hpp"
#include "mail/mime_source.hpp"
#include "mail/mime_structure.hpp"

namespace gm::maa {

class MessageContent {
 public:
  MessageContent(const mail::MailboxFolder& folder, const mail::MessageRecord& record,
                 mail::HeaderCache* headers = nullptr)
      : folder_(folder), record_(record), headers_(headers) {}

  const mail::MessageRecord& record() const { return record_; }
  // The parsed message; an error when the file is gone or unreadable.
  Result<const mail::MimeStructure*> structure();
  const mail::MessageSource& source() const { return *source_; }  // after structure()
  // An unfolded header field of the message's own header (any field when
  // the cache has it, else one of ENVELOPE's), or nullopt.
  std::optional<std::string> header(std::string_view name);
  // The message's own header from the cache; nullptr without a cache or
  // when it cannot be cached (structure() is the way then).
  const mail::CachedHeader* cached_header();
  // Whether this object opened the message file so far (a cache miss or structure()).
  bool read_file() const { return read_file_; }

 private:
  const mail::MailboxFolder& folder_;
  const mail::MessageRecord& record_;
  mail::HeaderCache* headers_;
  std::shared_ptr<const mail::CachedHeader> cached_;
  std::optional<std::vector<mail::HeaderField>> cached_fields_;  // parsed once per command
  bool cache_tried_ = false;
  bool read_file_ = false;
  UniqueFd fd_;
  std::optional<mail::MessageSource> source_;
  std::optional<mail::MimeStructure> structure_;
  std::optional<Error> error_;
};

// RFC 5322 3.3 date-time ("Tue, 1 Jul 2003 10:52:37 +0200", obsolete zone
// names and missing seconds tolerated) to UTC seconds and the zone offset.
struct HeaderDate {
  int64_t unix_time = 0;
  int zone_minutes = 0;
};
std::optional<HeaderDate> parse_header_date(std::string_view value);

}  // namespace gm::maa
