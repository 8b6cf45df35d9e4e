// Shared by the mailbox_*_test.cpp files: a throw-away Maildir++ root and
// mda-style deliveries into it.
#pragma once

#include <stdlib.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "mail/maildir.hpp"

namespace gm::mail::testing {

class TempMaildir {
 public:
  TempMaildir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "gm_mailbox_test.XXXXXX").string();
    root_ = ::mkdtemp(pattern.data());
    EXPECT_TRUE(create_default_folders(root_).ok());
  }
  ~TempMaildir() { std::filesystem::remove_all(root_); }
  const std::string& root() const { return root_; }
  std::string folder(std::string_view name) const { return root_ + "/." + std::string(name); }

  // What mda does: tmp/, fsync, rename into new/ with ",S=<size>".
  std::string deliver(std::string_view content, std::string_view folder = "") const {
    auto delivery = MaildirDelivery::begin(root_, folder);
    EXPECT_TRUE(delivery.ok());
    EXPECT_TRUE(delivery->append(content).ok());
    auto path = delivery->commit();
    EXPECT_TRUE(path.ok());
    return path.ok() ? *path : std::string();
  }

 private:
  std::string root_;
};

inline std::string message(int n) {
  return "From: a@example.org\r\nSubject: test " + std::to_string(n) + "\r\n\r\nbody " +
         std::to_string(n) + "\r\n";
}

}  // namespace gm::mail::testing
