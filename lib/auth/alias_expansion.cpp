#include "auth/alias_expansion.hpp"

#include <algorithm>

#include "core/str.hpp"

namespace gm::auth {
namespace {

// Directory keys keep the local part's case but not the domain's.
std::string key_of(const std::string& address) {
  size_t at = address.rfind('@');
  if (at == std::string::npos) return address;
  return address.substr(0, at + 1) + to_lower(address.substr(at + 1));
}

}  // namespace

AliasExpander::AliasExpander(std::string address) {
  seen_.insert(key_of(address));
  stack_.push_back(Item{std::move(address), {}});
}

std::optional<std::string> AliasExpander::next() const {
  if (stack_.empty()) return std::nullopt;
  return stack_.back().address;
}

bool AliasExpander::on_path(const Item& item, const std::string& address) const {
  std::string key = key_of(address);
  return std::any_of(item.path.begin(), item.path.end(),
                     [&](const std::string& p) { return key_of(p) == key; });
}

void AliasExpander::feed(const DirectoryEntry& entry) {
  if (stack_.empty()) return;
  Item item = std::move(stack_.back());
  stack_.pop_back();
  ++lookups_;
  switch (entry.kind) {
    case DirectoryEntry::Kind::kUser: {
      bool known = std::any_of(result_.users.begin(), result_.users.end(),
                               [&](const DirectoryEntry& u) { return u.address == entry.address; });
      if (!entry.active)
        result_.suspended.push_back(entry.address);
      else if (!known)
        result_.users.push_back(entry);
      break;
    }
    case DirectoryEntry::Kind::kAlias: {
      if (item.path.size() >= kMaxAliasDepth) {
        result_.too_deep = true;
        break;
      }
      std::vector<std::string> path = item.path;
      path.push_back(entry.address);
      // First reach wins, in target order; reversed onto the stack so
      // targets are expanded in that order.
      std::vector<std::string> fresh;
      for (const std::string& target : entry.targets) {
        if (on_path(Item{item.address, path}, target) || key_of(target) == key_of(item.address)) {
          result_.loop = true;
          continue;
        }
        if (seen_.insert(key_of(target)).second) fresh.push_back(target);
      }
      for (auto it = fresh.rbegin(); it != fresh.rend(); ++it) stack_.push_back(Item{*it, path});
      break;
    }
    case DirectoryEntry::Kind::kNone:
      (entry.local_domain ? result_.unknown : result_.remote).push_back(item.address);
      break;
  }
  if (lookups_ >= kMaxExpandedAddresses && !stack_.empty()) {
    result_.too_many = true;
    stack_.clear();
  }
}

}  // namespace gm::auth
