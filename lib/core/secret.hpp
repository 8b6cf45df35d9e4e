// A password or key that must never reach a log line, an error message or a
// core file: it cannot be streamed or formatted, and its memory is wiped.
#pragma once

#include <openssl/crypto.h>

#include <string>
#include <string_view>

namespace gm {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  Secret(const Secret&) = default;
  Secret& operator=(const Secret&) = default;
  Secret(Secret&&) noexcept = default;
  Secret& operator=(Secret&&) noexcept = default;
  ~Secret() { wipe(); }

  // The only way to the bytes; grep for it to audit every use.
  std::string_view expose() const { return value_; }
  bool empty() const { return value_.empty(); }
  void wipe() {
    if (!value_.empty()) OPENSSL_cleanse(value_.data(), value_.size());
    value_.clear();
  }

 private:
  std::string value_;
};

}  // namespace gm
