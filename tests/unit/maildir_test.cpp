#include "mail/maildir.hpp"

#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "core/durable_file.hpp"
#include "mail/maildir_quota.hpp"

namespace gm::mail {
namespace {

namespace fs = std::filesystem;

class TempMaildir {
 public:
  TempMaildir() {
    std::string pattern = (fs::temp_directory_path() / "gm_maildir_test.XXXXXX").string();
    base_ = ::mkdtemp(pattern.data());
    root_ = base_ + "/user/Maildir";
  }
  ~TempMaildir() { fs::remove_all(base_); }
  const std::string& root() const { return root_; }

 private:
  std::string base_, root_;
};

std::vector<std::string> names_in(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(dir)) out.push_back(entry.path().filename());
  return out;
}

std::string deliver(const std::string& root, std::string_view folder, std::string_view content) {
  auto delivery = MaildirDelivery::begin(root, folder);
  EXPECT_TRUE(delivery.ok()) << delivery.error().message;
  for (size_t i = 0; i < content.size(); i += 7)
    EXPECT_TRUE(delivery->append(content.substr(i, 7)).ok());
  auto path = delivery->commit();
  EXPECT_TRUE(path.ok()) << path.error().message;
  return *path;
}

TEST(Maildir, CreatesInboxAndSpecialUseFolders) {
  TempMaildir m;
  ASSERT_TRUE(create_default_folders(m.root()).ok());
  for (const char* sub : {"cur", "new", "tmp"}) EXPECT_TRUE(fs::is_directory(m.root() + "/" + sub));
  EXPECT_FALSE(fs::exists(m.root() + "/maildirfolder"));
  for (const char* folder : {".Sent", ".Drafts", ".Trash", ".Junk"}) {
    std::string dir = m.root() + "/" + folder;
    for (const char* sub : {"cur", "new", "tmp"}) EXPECT_TRUE(fs::is_directory(dir + "/" + sub));
    EXPECT_TRUE(fs::is_regular_file(dir + "/maildirfolder")) << folder;
  }
  EXPECT_EQ(fs::status(m.root()).permissions() & fs::perms::all, fs::perms::owner_all);
  EXPECT_TRUE(create_default_folders(m.root()).ok());  // idempotent
}

TEST(Maildir, FolderNamesCannotEscapeTheMaildir) {
  TempMaildir m;
  for (auto bad : {"../x", "a/b", ".hidden", "x..y", "trailing.", "tab\there"}) {
    EXPECT_FALSE(is_valid_folder_name(bad)) << bad;
    EXPECT_FALSE(create_folder(m.root(), bad).ok()) << bad;
  }
  EXPECT_FALSE(is_valid_folder_name(""));
  EXPECT_FALSE(folder_path(m.root(), "../../etc").ok());
  EXPECT_EQ(*folder_path(m.root(), "INBOX"), m.root());
  EXPECT_EQ(*folder_path(m.root(), "Archive.2024"), m.root() + "/.Archive.2024");
}

TEST(Maildir, DeliveryLandsInNewWithAUniqueSizedName) {
  TempMaildir m;
  ASSERT_TRUE(create_default_folders(m.root()).ok());
  std::string content = "Return-Path: <a@b.example>\r\nSubject: t\r\n\r\nbody line\r\n";
  std::string path = deliver(m.root(), "", content);
  EXPECT_EQ(fs::path(path).parent_path(), fs::path(m.root() + "/new"));
  std::string name = fs::path(path).filename();
  std::regex spec(R"(^\d+\.M\d{1,6}P\d+Q\d+\.[^/:]+,S=(\d+)$)");
  std::smatch match;
  ASSERT_TRUE(std::regex_match(name, match, spec)) << name;
  EXPECT_EQ(match[1], std::to_string(content.size()));
  EXPECT_EQ(*core::read_file(path, 1 << 20), content);
  EXPECT_TRUE(names_in(m.root() + "/tmp").empty());

  std::string junk = deliver(m.root(), "Junk", "spam\r\n");
  EXPECT_EQ(fs::path(junk).parent_path(), fs::path(m.root() + "/.Junk/new"));
}

TEST(Maildir, NamesAreUniqueAcrossManyDeliveries) {
  TempMaildir m;
  ASSERT_TRUE(create_maildir(m.root()).ok());
  std::set<std::string> names;
  for (int i = 0; i < 200; ++i) names.insert(deliver(m.root(), "", "x"));
  EXPECT_EQ(names.size(), 200u);
  EXPECT_EQ(names_in(m.root() + "/new").size(), 200u);
}

TEST(Maildir, AbortedDeliveryLeavesNothing) {
  TempMaildir m;
  ASSERT_TRUE(create_maildir(m.root()).ok());
  {
    auto delivery = MaildirDelivery::begin(m.root());
    ASSERT_TRUE(delivery.ok());
    ASSERT_TRUE(delivery->append("partial").ok());
    EXPECT_EQ(names_in(m.root() + "/tmp").size(), 1u);
  }
  EXPECT_TRUE(names_in(m.root() + "/tmp").empty());
  EXPECT_TRUE(names_in(m.root() + "/new").empty());
}

TEST(Maildir, DeliveryIntoMissingFolderFails) {
  TempMaildir m;
  ASSERT_TRUE(create_maildir(m.root()).ok());
  auto delivery = MaildirDelivery::begin(m.root(), "Nowhere");
  ASSERT_FALSE(delivery.ok());
  EXPECT_EQ(delivery.error().code, 452);
}

TEST(Maildir, LargeMessageStreamsThroughBoundedBuffer) {
  TempMaildir m;
  ASSERT_TRUE(create_maildir(m.root()).ok());
  auto delivery = MaildirDelivery::begin(m.root());
  ASSERT_TRUE(delivery.ok());
  std::string chunk(30011, 'q');
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(delivery->append(chunk).ok());
  EXPECT_LE(delivery->buffer_high_water(), kMaildirWriteBuffer);
  auto path = delivery->commit();
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(fs::file_size(*path), 200u * chunk.size());
}

TEST(MaildirQuota, DefinitionFormatsAndParses) {
  EXPECT_EQ(format_quota({1048576, 1000}), "1048576S,1000C");
  EXPECT_EQ(format_quota({5000, 0}), "5000S");
  EXPECT_EQ(*parse_quota("1048576S,1000C"), (MaildirQuota{1048576, 1000}));
  EXPECT_EQ(*parse_quota("1000C"), (MaildirQuota{0, 1000}));
  for (auto bad : {"S", "12X", "-5S", "abcS"}) EXPECT_FALSE(parse_quota(bad).ok()) << bad;
}

TEST(MaildirQuota, UsageIsCountedAndOverQuotaDetected) {
  TempMaildir m;
  ASSERT_TRUE(create_default_folders(m.root()).ok());
  MaildirQuota quota{1000, 3};
  auto usage = quota_usage(m.root(), quota);
  ASSERT_TRUE(usage.ok());
  EXPECT_EQ(usage->bytes, 0);
  EXPECT_EQ(*core::read_file(m.root() + "/maildirsize", 100), "1000S,3C\n0 0\n");

  for (int i = 0; i < 2; ++i) {
    std::string content(300, 'a');
    auto before = quota_usage(m.root(), quota);
    ASSERT_FALSE(would_exceed(quota, *before, content.size()));
    deliver(m.root(), i == 0 ? "" : "Sent", content);
    ASSERT_TRUE(record_quota_change(m.root(), 300, 1).ok());
  }
  usage = quota_usage(m.root(), quota);
  EXPECT_EQ(usage->bytes, 600);
  EXPECT_EQ(usage->messages, 2);
  EXPECT_FALSE(would_exceed(quota, *usage, 400));
  EXPECT_TRUE(would_exceed(quota, *usage, 401));  // bytes
  ASSERT_TRUE(record_quota_change(m.root(), 10, 1).ok());
  EXPECT_TRUE(would_exceed(quota, *quota_usage(m.root(), quota), 1));  // count
  ASSERT_TRUE(record_quota_change(m.root(), -10, -1).ok());            // a removal
  EXPECT_EQ(quota_usage(m.root(), quota)->messages, 2);
  EXPECT_TRUE(would_exceed(MaildirQuota{0, 0}, *usage, 1) == false);  // no limit
}

TEST(MaildirQuota, RecalculatedWhenMissingTooBigOrRedefined) {
  TempMaildir m;
  ASSERT_TRUE(create_default_folders(m.root()).ok());
  deliver(m.root(), "", std::string(123, 'a'));
  deliver(m.root(), "Trash", std::string(77, 'b'));
  fs::rename(*fs::directory_iterator(m.root() + "/new"),
             m.root() + "/cur/no-size-in-this-name:2,S");  // size comes from stat()
  MaildirQuota quota{10000, 0};
  auto usage = quota_usage(m.root(), quota);  // missing: scan
  EXPECT_EQ(usage->bytes, 200);
  EXPECT_EQ(usage->messages, 2);

  std::ofstream(m.root() + "/maildirsize", std::ios::app) << std::string(6000, ' ') << "\n";
  usage = quota_usage(m.root(), quota);  // larger than 5120 bytes: scan
  EXPECT_EQ(usage->bytes, 200);
  EXPECT_LT(fs::file_size(m.root() + "/maildirsize"), 100u);

  std::ofstream(m.root() + "/maildirsize", std::ios::app) << "999999 5\n";  // drifted
  EXPECT_EQ(quota_usage(m.root(), quota)->bytes, 200 + 999999);
  usage = quota_usage(m.root(), MaildirQuota{20000, 0});  // new definition: scan
  EXPECT_EQ(usage->bytes, 200);
  EXPECT_EQ(*core::read_file(m.root() + "/maildirsize", 100), "20000S\n200 2\n");

  std::ofstream(m.root() + "/maildirsize", std::ios::app) << "garbage line\n";
  EXPECT_EQ(quota_usage(m.root(), MaildirQuota{20000, 0})->bytes, 200);
}

TEST(MaildirQuota, StaleOverQuotaFileIsRecalculated) {
  TempMaildir m;
  ASSERT_TRUE(create_maildir(m.root()).ok());
  deliver(m.root(), "", std::string(100, 'a'));
  MaildirQuota quota{1000, 0};
  ASSERT_EQ(quota_usage(m.root(), quota)->bytes, 100);
  std::ofstream(m.root() + "/maildirsize", std::ios::app) << "5000 3\n";  // removed since
  EXPECT_EQ(quota_usage(m.root(), quota)->bytes, 5100);                   // fresh: trusted
  auto old = fs::last_write_time(m.root() + "/maildirsize") - std::chrono::minutes(16);
  fs::last_write_time(m.root() + "/maildirsize", old);
  EXPECT_EQ(quota_usage(m.root(), quota)->bytes, 100);  // stale and over: scanned
}

}  // namespace
}  // namespace gm::mail
