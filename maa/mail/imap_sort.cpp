#include "imap_sort.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <unordered_map>

#include "core/str.hpp"
#include "imap_message.hpp"
#include "mail/header_address.hpp"
#include "mail/mime_encoded_word.hpp"
#include "mail/mime_search.hpp"

namespace gm::maa {

namespace {

bool is_reply_subject(std::string_view subject);

// What SORT and THREAD compare, read once per message.
struct Facts {
  uint32_t seq = 0, uid = 0;
  int64_t arrival = 0, date = 0;
  uint64_t size = 0;
  std::string subject, from, to, cc;  // base subject; first addr-mailbox, folded
  bool reply = false;                 // the subject had a "Re:"/"Fwd:" leader
  std::string message_id;
  std::vector<std::string> references;  // oldest first; In-Reply-To when none
};

std::string first_mailbox(const std::optional<std::string>& value) {
  if (!value) return {};
  auto list = mail::parse_address_list(*value);
  if (!list) return {};
  auto boxes = mail::flatten(*list);
  return boxes.empty() ? std::string() : mail::casefold(boxes.front().local_part);
}

// The <msg-id>s of a field, in order.
std::vector<std::string> message_ids(std::string_view value) {
  std::vector<std::string> ids;
  size_t pos = 0;
  while ((pos = value.find('<', pos)) != std::string_view::npos) {
    size_t end = value.find('>', pos);
    if (end == std::string_view::npos) break;
    ids.emplace_back(value.substr(pos, end - pos + 1));
    pos = end + 1;
  }
  return ids;
}

Facts facts_of(const mail::MailboxFolder& folder, const mail::MessageRecord& r, uint32_t seq,
               bool threading, mail::HeaderCache* headers) {
  Facts f;
  f.seq = seq;
  f.uid = r.uid;
  f.arrival = r.internal_date;
  f.size = r.size;
  MessageContent message(folder, r, headers);
  auto date = message.header("Date");
  auto parsed = date ? parse_header_date(*date) : std::nullopt;
  f.date = parsed ? parsed->unix_time : r.internal_date;
  std::string subject = message.header("Subject").value_or("");
  f.subject = base_subject(subject);
  f.reply = is_reply_subject(subject);
  f.from = first_mailbox(message.header("From"));
  f.to = first_mailbox(message.header("To"));
  f.cc = first_mailbox(message.header("Cc"));
  if (!threading) return f;
  auto ids = message_ids(message.header("Message-ID").value_or(""));
  if (!ids.empty()) f.message_id = ids.front();
  if (message.cached_header() != nullptr) {
    f.references = message_ids(message.header("References").value_or(""));
  } else if (auto s = message.structure(); s) {
    auto fields = mail::read_header_fields(message.source(), (*s)->root);
    const auto* refs = fields ? mail::find_field(*fields, "References") : nullptr;
    if (refs != nullptr) f.references = message_ids(refs->value);
  }
  if (f.references.empty()) {
    auto reply_to = message_ids(message.header("In-Reply-To").value_or(""));
    if (!reply_to.empty()) f.references.push_back(reply_to.front());
  }
  return f;
}

std::vector<Facts> collect(const mail::MailboxFolder& folder, const MailboxView& view,
                           std::span<const uint32_t> seqs, bool threading,
                           mail::HeaderCache* headers) {
  std::vector<Facts> all;
  all.reserve(seqs.size());
  for (uint32_t seq : seqs) {
    const auto* r = folder.find(view.uid_at(seq));
    if (r != nullptr) all.push_back(facts_of(folder, *r, seq, threading, headers));
  }
  return all;
}

int compare(const Facts& a, const Facts& b, SortKey key) {
  auto cmp = [](const auto& x, const auto& y) { return x < y ? -1 : (y < x ? 1 : 0); };
  switch (key) {
    case SortKey::kArrival:
      return cmp(a.arrival, b.arrival);
    case SortKey::kCc:
      return cmp(a.cc, b.cc);
    case SortKey::kDate:
      return cmp(a.date, b.date);
    case SortKey::kFrom:
      return cmp(a.from, b.from);
    case SortKey::kSize:
      return cmp(a.size, b.size);
    case SortKey::kSubject:
      return cmp(a.subject, b.subject);
    case SortKey::kTo:
      return cmp(a.to, b.to);
  }
  return 0;
}

bool strip_prefix_ci(std::string& s, std::string_view prefix) {
  if (s.size() < prefix.size() || !iequals(std::string_view(s).substr(0, prefix.size()), prefix))
    return false;
  s.erase(0, prefix.size());
  return true;
}

// RFC 5256 5: subj-blob "[...]" at the front (not when it is all there is).
bool strip_blob(std::string& s) {
  if (s.empty() || s[0] != '[') return false;
  size_t end = s.find(']');
  if (end == std::string::npos || s.find('[', 1) < end) return false;
  std::string rest = std::string(trim(std::string_view(s).substr(end + 1)));
  if (rest.empty()) return false;
  s = rest;
  return true;
}

// subj-refwd: ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"
bool strip_leader(std::string& s) {
  std::string t = s;
  if (!(strip_prefix_ci(t, "re") || strip_prefix_ci(t, "fwd") || strip_prefix_ci(t, "fw")))
    return false;
  t = std::string(trim(t));
  if (!t.empty() && t[0] == '[') {
    size_t end = t.find(']');
    if (end == std::string::npos) return false;
    t = std::string(trim(std::string_view(t).substr(end + 1)));
  }
  if (t.empty() || t[0] != ':') return false;
  s = std::string(trim(std::string_view(t).substr(1)));
  return true;
}

// RFC 5256 REFERENCES step 5: a subject that base_subject() stripped of a
// reply or forward leader.
bool is_reply_subject(std::string_view subject) {
  std::string s(trim(mail::decode_encoded_words(subject)));
  while (strip_blob(s)) {
  }
  return strip_leader(s);
}

}  // namespace

std::string base_subject(std::string_view subject) {
  std::string s;
  // Step 1: decode, then every run of whitespace becomes one space.
  for (char c : mail::decode_encoded_words(subject)) {
    bool space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
    if (space && (s.empty() || s.back() == ' ')) continue;
    s += space ? ' ' : c;
  }
  for (bool changed = true; changed;) {
    changed = false;
    // Step 2: trailers.
    for (;;) {
      s = std::string(trim(s));
      if (s.size() >= 5 && iequals(std::string_view(s).substr(s.size() - 5), "(fwd)")) {
        s.resize(s.size() - 5);
        continue;
      }
      break;
    }
    // Steps 3-4: leaders and blobs.
    while (strip_leader(s) || strip_blob(s)) changed = true;
    // Step 6: [fwd: ...] wrapper.
    if (s.size() >= 6 && strip_prefix_ci(s, "[fwd:") && s.back() == ']') {
      s.pop_back();
      s = std::string(trim(s));
      changed = true;
    }
  }
  return mail::casefold(s);
}

Result<std::vector<SortCriterion>> parse_sort_criteria(const mail::ImapArg& list) {
  if (!list.is_list() || list.list.empty() || list.list.size() > 2 * kMaxSortCriteria)
    return make_error("SORT criteria list expected");
  struct Name {
    std::string_view name;
    SortKey key;
  };
  static constexpr Name kNames[] = {{"ARRIVAL", SortKey::kArrival},
                                    {"CC", SortKey::kCc},
                                    {"DATE", SortKey::kDate},
                                    {"FROM", SortKey::kFrom},
                                    {"SIZE", SortKey::kSize},
                                    {"SUBJECT", SortKey::kSubject},
                                    {"TO", SortKey::kTo}};
  std::vector<SortCriterion> out;
  bool reverse = false;
  for (const auto& a : list.list) {
    if (a.atom_is("REVERSE") && !reverse) {
      reverse = true;
      continue;
    }
    auto it = std::find_if(std::begin(kNames), std::end(kNames),
                           [&](const Name& n) { return a.atom_is(n.name); });
    if (it == std::end(kNames)) return make_error("Unknown SORT criterion");
    out.push_back({it->key, reverse});
    reverse = false;
  }
  if (reverse) return make_error("REVERSE must precede a criterion");
  return out;
}

std::vector<uint32_t> sort_messages(const mail::MailboxFolder& folder, const MailboxView& view,
                                    std::span<const uint32_t> seqs,
                                    std::span<const SortCriterion> criteria,
                                    mail::HeaderCache* headers) {
  auto all = collect(folder, view, seqs, false, headers);
  std::stable_sort(all.begin(), all.end(), [&](const Facts& a, const Facts& b) {
    for (const auto& c : criteria) {
      int r = compare(a, b, c.key);
      if (r != 0) return c.reverse ? r > 0 : r < 0;
    }
    return a.seq < b.seq;
  });
  std::vector<uint32_t> out;
  out.reserve(all.size());
  for (const auto& f : all) out.push_back(f.seq);
  return out;
}

namespace {

// RFC 5256 "thread-list" of a tree: "(a b (c)(d))".
struct ThreadNode {
  const Facts* message = nullptr;  // null: a message we only know by reference
  ThreadNode* parent = nullptr;
  std::vector<ThreadNode*> children;
  int64_t date() const;
};

int64_t ThreadNode::date() const {
  if (message != nullptr) return message->date;
  // RFC 5256: an empty container sorts by its first child's date.
  return children.empty() ? 0 : children.front()->date();
}

void sort_by_date(std::vector<ThreadNode*>& nodes) {
  std::stable_sort(nodes.begin(), nodes.end(), [](const ThreadNode* a, const ThreadNode* b) {
    if (a->date() != b->date()) return a->date() < b->date();
    uint32_t sa = a->message ? a->message->seq : 0, sb = b->message ? b->message->seq : 0;
    return sa < sb;
  });
}

void append_thread(std::string& out, const ThreadNode& node, bool uid, bool top) {
  if (top) out += '(';
  const ThreadNode* n = &node;
  bool first = true;
  // A chain of only children is written "a b c"; siblings as "(a)(b)".
  while (true) {
    if (n->message != nullptr) {
      if (!first) out += ' ';
      out += std::to_string(uid ? n->message->uid : n->message->seq);
      first = false;
    }
    if (n->children.size() == 1) {
      n = n->children.front();
      continue;
    }
    if (!n->children.empty()) {
      if (!first) out += ' ';
      for (const ThreadNode* c : n->children) {
        out += '(';
        append_thread(out, *c, uid, false);
        out += ')';
      }
    }
    break;
  }
  if (top) out += ')';
}

// Empty containers go away, their children moving up (RFC 5256 REFERENCES
// step 4), except that a root keeps an empty container with several children.
void prune(std::vector<ThreadNode*>& nodes, bool at_root) {
  std::vector<ThreadNode*> kept;
  for (ThreadNode* n : nodes) {
    prune(n->children, false);
    if (n->message == nullptr && (!at_root || n->children.size() <= 1)) {
      for (ThreadNode* c : n->children) kept.push_back(c);
    } else {
      kept.push_back(n);
    }
  }
  nodes = std::move(kept);
  sort_by_date(nodes);
}

bool is_ancestor(const ThreadNode* maybe, const ThreadNode* of) {
  for (const ThreadNode* p = of; p != nullptr; p = p->parent)
    if (p == maybe) return true;
  return false;
}

void link(ThreadNode* parent, ThreadNode* child) {
  if (child->parent != nullptr || parent == child || is_ancestor(child, parent)) return;
  child->parent = parent;
  parent->children.push_back(child);
}

// The subject a root stands for: its message's, or its first child's.
const Facts* representative(const ThreadNode* node) {
  if (node->message != nullptr) return node->message;
  return node->children.empty() ? nullptr : node->children.front()->message;
}

// RFC 5256 REFERENCES step 5: roots with the same base subject come
// together (a reply under the original, else under a new empty parent).
void group_by_subject(std::vector<ThreadNode*>& roots,
                      const std::function<ThreadNode*()>& make_empty) {
  std::unordered_map<std::string, ThreadNode*> table;
  auto better = [](const ThreadNode* candidate, const ThreadNode* held) {
    if (candidate->message == nullptr) return held->message != nullptr;
    return held->message != nullptr && held->message->reply && !candidate->message->reply;
  };
  for (ThreadNode* root : roots) {
    const Facts* f = representative(root);
    if (f == nullptr || f->subject.empty()) continue;
    auto [it, fresh] = table.emplace(f->subject, root);
    if (!fresh && better(root, it->second)) it->second = root;
  }
  std::vector<ThreadNode*> kept;
  auto adopt = [](ThreadNode* parent, ThreadNode* child) {
    child->parent = parent;
    parent->children.push_back(child);
  };
  for (ThreadNode* root : roots) {
    if (root->parent != nullptr) continue;  // adopted by an earlier root already
    const Facts* f = representative(root);
    ThreadNode* held = f == nullptr || f->subject.empty() ? root : table[f->subject];
    if (held == root) {
      kept.push_back(root);
    } else if (held->message == nullptr && root->message == nullptr) {
      for (ThreadNode* c : root->children) adopt(held, c);
    } else if (held->message == nullptr || (root->message->reply && !held->message->reply)) {
      adopt(held, root);
    } else {
      ThreadNode* parent = make_empty();
      auto at = std::find(kept.begin(), kept.end(), held);
      if (at != kept.end()) {
        *at = parent;
      } else {
        kept.push_back(parent);
      }
      adopt(parent, held);
      adopt(parent, root);
      table[f->subject] = parent;
    }
  }
  for (ThreadNode* root : kept) sort_by_date(root->children);
  sort_by_date(kept);
  roots = std::move(kept);
}

}  // namespace

std::string thread_messages(const mail::MailboxFolder& folder, const MailboxView& view,
                            std::span<const uint32_t> seqs, ThreadAlgorithm algorithm, bool uid,
                            mail::HeaderCache* headers) {
  auto all = collect(folder, view, seqs, algorithm == ThreadAlgorithm::kReferences, headers);
  std::vector<std::unique_ptr<ThreadNode>> storage;
  auto make = [&](const Facts* f) {
    storage.push_back(std::make_unique<ThreadNode>());
    storage.back()->message = f;
    return storage.back().get();
  };
  std::vector<ThreadNode*> roots;
  if (algorithm == ThreadAlgorithm::kOrderedSubject) {
    // Messages by base subject, then date; each group's first message is
    // the parent of the others (RFC 5256 ORDEREDSUBJECT).
    std::map<std::string, std::vector<const Facts*>> groups;
    for (const auto& f : all) groups[f.subject].push_back(&f);
    for (auto& [subject, members] : groups) {
      std::stable_sort(members.begin(), members.end(), [](const Facts* a, const Facts* b) {
        return a->date != b->date ? a->date < b->date : a->seq < b->seq;
      });
      ThreadNode* parent = make(members.front());
      for (size_t i = 1; i < members.size(); ++i) link(parent, make(members[i]));
      roots.push_back(parent);
    }
    sort_by_date(roots);
  } else {
    std::unordered_map<std::string, ThreadNode*> by_id;
    auto container = [&](const std::string& id) {
      auto& slot = by_id[id];
      if (slot == nullptr) slot = make(nullptr);
      return slot;
    };
    for (const auto& f : all) {
      // A duplicate or missing Message-ID gets a container of its own.
      ThreadNode* own = f.message_id.empty() || (by_id.count(f.message_id) &&
                                                 by_id[f.message_id]->message != nullptr)
                            ? make(&f)
                            : container(f.message_id);
      own->message = &f;
      ThreadNode* previous = nullptr;
      for (const auto& ref : f.references) {
        ThreadNode* c = container(ref);
        if (previous != nullptr) link(previous, c);
        previous = c;
      }
      if (previous != nullptr && own->parent == nullptr) link(previous, own);
    }
    for (const auto& n : storage)
      if (n->parent == nullptr) roots.push_back(n.get());
    for (const auto& n : storage) sort_by_date(n->children);
    prune(roots, true);
    group_by_subject(roots, [&] { return make(nullptr); });
  }
  std::string out;
  for (const ThreadNode* root : roots) append_thread(out, *root, uid, true);
  return out;
}

}  // namespace gm::maa
