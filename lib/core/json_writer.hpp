// A minimal JSON writer for scripted output (gmctl --json, status replies).
// Builds text only; the suite never needs to parse JSON from clients.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gm::core {

std::string json_quote(std::string_view text);

// Appends members and elements with the commas in the right places.
class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view name);
  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(int64_t number);
  JsonWriter& value(bool flag);
  JsonWriter& null();
  const std::string& text() const { return out_; }

 private:
  void separate();
  std::string out_;
  std::vector<bool> first_;  // per open container: nothing written yet
  bool after_key_ = false;
};

}  // namespace gm::core
