// gmctl config check: validate gm.conf (and the service table) and say where
// the first problem is. gmctl config show [--changed] [KEY...]: the effective
// settings, expanded, with defaults marked.
#include <cstdio>

#include "command.hpp"
#include "core/json_writer.hpp"
#include "core/service_table.hpp"
#include "options.hpp"

namespace gm::gmctl {
namespace {

int check(const Context& context) {
  auto config = context.load_config();
  if (!config) {
    std::fprintf(stderr, "%s\n", config.error().message.c_str());
    return kExitConfig;
  }
  if (auto table = core::load_service_table(*config); !table) {
    std::fprintf(stderr, "%s\n", table.error().message.c_str());
    return kExitConfig;
  }
  std::printf("%s: ok\n", config->file().c_str());
  return kExitOk;
}

bool wanted(const core::KeySpec& spec, const std::vector<std::string>& keys) {
  if (keys.empty()) return true;
  for (const std::string& key : keys)
    if (key == spec.name) return true;
  return false;
}

int show(const Context& context, Options& options) {
  bool changed_only = options.flag("--changed");
  if (auto error = options.error(); !error.empty()) return usage_error(error);
  auto config = context.load_config();
  if (!config) return failure(config.error().message);
  std::vector<std::string> keys;
  for (size_t i = 1; i < options.word_count(); ++i) keys.push_back(options.word(i));
  for (const std::string& key : keys) {
    bool known = false;
    for (const core::KeySpec& spec : config->schema()) known = known || spec.name == key;
    if (!known) return usage_error("unknown key '" + key + "'");
  }
  core::JsonWriter json;
  json.begin_array();
  for (const core::KeySpec& spec : config->schema()) {
    if (!wanted(spec, keys) || (changed_only && !config->is_set(spec.name))) continue;
    std::string value = config->string(spec.name);
    bool is_default = !config->is_set(spec.name);
    if (context.json) {
      json.begin_object()
          .key("key").value(spec.name)
          .key("value").value(value)
          .key("raw").value(config->raw(spec.name))
          .key("type").value(core::key_type_name(spec.type))
          .key("default").value(is_default)
          .key("origin").value(config->origin(spec.name))
          .end_object();
    } else {
      std::printf("%.*s = %s%s\n", static_cast<int>(spec.name.size()), spec.name.data(),
                  value.c_str(), is_default ? "  # default" : "");
    }
  }
  json.end_array();
  if (context.json) std::printf("%s\n", json.text().c_str());
  return kExitOk;
}

}  // namespace

int run_config(Context& context) {
  Options options(context.args);
  std::string verb = options.word(0);
  if (verb == "check") return check(context);
  if (verb == "show") return show(context, options);
  return usage_error("usage: gmctl config check | gmctl config show [--changed] [KEY...]");
}

}  // namespace gm::gmctl
