// LIST (RFC 9051 6.3.9) with LIST-EXTENDED (RFC 5258: selection options
// SUBSCRIBED, RECURSIVEMATCH, SPECIAL-USE, REMOTE; return options
// SUBSCRIBED, CHILDREN, SPECIAL-USE), LIST-STATUS (RFC 5819) and
// SPECIAL-USE (RFC 6154); LSUB (RFC 3501 6.3.9) for IMAP4rev1 clients.
#include <algorithm>
#include <functional>
#include <span>

#include "core/str.hpp"
#include "imap_list_pattern.hpp"
#include "imap_session.hpp"

namespace gm::maa {

namespace {

struct ListOptions {
  bool subscribed_only = false;   // selection SUBSCRIBED
  bool recursive_match = false;   // selection RECURSIVEMATCH
  bool special_use_only = false;  // selection SPECIAL-USE
  bool return_subscribed = false;
  const mail::ImapArg* status_items = nullptr;  // RETURN (STATUS (...))
};

bool read_selection(const mail::ImapArg& list, ListOptions& o) {
  for (const auto& opt : list.list) {
    if (opt.atom_is("SUBSCRIBED")) {
      o.subscribed_only = o.return_subscribed = true;
    } else if (opt.atom_is("RECURSIVEMATCH")) {
      o.recursive_match = true;
    } else if (opt.atom_is("SPECIAL-USE")) {
      o.special_use_only = true;
    } else if (!opt.atom_is("REMOTE")) {
      return false;  // RFC 5258 3: unknown selection options are an error
    }
  }
  // RFC 5258 3.1: RECURSIVEMATCH alone is an error.
  return !(o.recursive_match && !o.subscribed_only && !o.special_use_only);
}

bool read_return(const mail::ImapArg& list, ListOptions& o) {
  for (size_t i = 0; i < list.list.size(); ++i) {
    const auto& opt = list.list[i];
    if (opt.atom_is("SUBSCRIBED")) {
      o.return_subscribed = true;
    } else if (opt.atom_is("STATUS") && i + 1 < list.list.size() && list.list[i + 1].is_list()) {
      o.status_items = &list.list[++i];
    } else if (!opt.atom_is("CHILDREN") && !opt.atom_is("SPECIAL-USE")) {
      return false;
    }
  }
  return true;
}

bool is_subscribed(const std::vector<std::string>& subs, std::string_view name) {
  return std::find(subs.begin(), subs.end(), name) != subs.end();
}

struct ListRequest {
  ListOptions options;
  std::vector<ListPattern> matchers;
  bool root_only = false;  // LIST "" "": the delimiter and the root
};

using PatternDecoder = std::function<Result<std::string>(const std::string&)>;

// [selection options] reference pattern-or-patterns [RETURN (options)].
Result<ListRequest> read_list_request(std::span<const mail::ImapArg> args,
                                      const PatternDecoder& decode) {
  ListRequest request;
  size_t i = 0;
  if (args[i].is_list()) {
    if (!read_selection(args[i], request.options))
      return make_error("Invalid LIST selection options");
    ++i;
  }
  if (i + 2 > args.size() || !args[i].is_astring())
    return make_error("LIST reference and pattern expected");
  const mail::ImapArg& reference = args[i++];
  const mail::ImapArg& patterns = args[i++];
  if (i < args.size() && (i + 2 != args.size() || !args[i].atom_is("RETURN") ||
                          !args[i + 1].is_list() || !read_return(args[i + 1], request.options)))
    return make_error("Invalid LIST return options");
  auto ref = decode(reference.text);
  if (!ref) return ref.error();
  std::span<const mail::ImapArg> list =
      patterns.is_list() ? std::span(patterns.list) : std::span(&patterns, 1);
  for (const auto& p : list) {
    if (!p.is_astring()) return make_error("LIST pattern expected");
    auto text = decode(p.text);
    if (!text) return text.error();
    if (text->empty() && list.size() == 1) request.root_only = true;
    request.matchers.emplace_back(*ref, *text);
  }
  return request;
}

}  // namespace

void ImapSession::cmd_list(const mail::ImapCommand& command) {
  auto request = read_list_request(command.args,
                                   [this](const std::string& text) { return read_pattern(text); });
  if (!request) return finish(command, imap_reply::syntax(request.error().message));
  if (request->root_only) {
    // RFC 9051 6.3.9: the hierarchy delimiter and the root name.
    untagged("LIST (\\Noselect) \"/\" \"\"");
    return finish(command, imap_reply::completed("LIST"));
  }
  const ListOptions& options = request->options;
  const auto& matchers = request->matchers;
  auto folders = store_.list();
  if (!folders) return finish(command, imap_reply::server_bug(folders.error().message));
  std::vector<std::string> subs;
  if (options.return_subscribed || options.subscribed_only) {
    auto s = store_.subscriptions();
    if (s) subs = std::move(*s);
  }
  auto any_match = [&](std::string_view name) {
    return std::any_of(matchers.begin(), matchers.end(),
                       [&](const ListPattern& m) { return m.matches(name); });
  };
  for (const auto& folder : *folders) {
    bool subscribed = is_subscribed(subs, folder.name);
    bool special = folder.special_use != mail::SpecialUse::kNone;
    bool selected_by_options =
        (!options.subscribed_only || subscribed) && (!options.special_use_only || special);
    std::string extended;
    if (!selected_by_options && options.recursive_match && options.subscribed_only &&
        std::any_of(subs.begin(), subs.end(), [&](const std::string& s) {
          return s.size() > folder.name.size() && s.starts_with(folder.name + "/");
        })) {
      extended = " (\"CHILDINFO\" (\"SUBSCRIBED\"))";  // RFC 5258 3.5
    } else if (!selected_by_options) {
      continue;
    }
    if (!any_match(folder.name)) continue;
    std::string line = "LIST (";
    if (folder.non_existent) line += "\\NonExistent ";
    line += folder.has_children ? "\\HasChildren" : "\\HasNoChildren";
    if (special) line.append(" ").append(mail::special_use_attribute(folder.special_use));
    if (options.return_subscribed && subscribed) line += " \\Subscribed";
    line += ") \"/\" ";
    append_mailbox_name(line, folder.name);
    line += extended;
    untagged(line);
    if (options.status_items != nullptr && !folder.non_existent) {
      std::string status;
      if (!status_line(folder.name, options.status_items->list, status)) untagged(status);
    }
  }
  // Subscribed names without a folder (RFC 5258 3.1 \NonExistent).
  if (options.subscribed_only) {
    for (const auto& s : subs) {
      bool listed = std::any_of(folders->begin(), folders->end(),
                                [&](const mail::FolderInfo& f) { return f.name == s; });
      if (listed || !any_match(s)) continue;
      std::string line = "LIST (\\NonExistent \\Subscribed) \"/\" ";
      append_mailbox_name(line, s);
      untagged(line);
    }
  }
  finish(command, imap_reply::completed("LIST"));
}

void ImapSession::cmd_lsub(const mail::ImapCommand& command) {
  if (!command.args[0].is_astring() || !command.args[1].is_astring())
    return finish(command, imap_reply::syntax("LSUB reference and pattern expected"));
  auto subs = store_.subscriptions();
  if (!subs) return finish(command, imap_reply::server_bug(subs.error().message));
  auto ref = read_pattern(command.args[0].text);
  auto pattern = read_pattern(command.args[1].text);
  if (!ref || !pattern) return finish(command, imap_reply::syntax("Invalid LSUB pattern"));
  ListPattern matcher(*ref, *pattern);
  for (const auto& s : *subs) {
    if (!matcher.matches(s)) continue;
    std::string line = store_.exists(s) ? "LSUB () \"/\" " : "LSUB (\\Noselect) \"/\" ";
    append_mailbox_name(line, s);
    untagged(line);
  }
  finish(command, imap_reply::completed("LSUB"));
}

}  // namespace gm::maa
