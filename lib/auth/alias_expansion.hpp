// Alias expansion for local delivery (mda(8)): from one recipient address
// to the mailboxes it reaches. Sans-IO: the expander says which address to
// look up next and is fed the directory's answer, so the same code runs
// over the asynchronous DirectoryClient and in unit tests.
//
// Rules: recursive, at most kMaxAliasDepth aliases deep; an address met
// again on its own path is a loop (that branch ends); an address reached
// twice by different paths is delivered once; the order of first reach is
// kept. Temporary lookup failures fail the whole expansion (try later).
#pragma once

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "auth/directory_client.hpp"

namespace gm::auth {

inline constexpr size_t kMaxAliasDepth = 10;
inline constexpr size_t kMaxExpandedAddresses = 1000;  // lookups one expansion may make

struct Expansion {
  std::vector<DirectoryEntry> users;  // active users, each once, in order of reach
  std::vector<std::string> suspended;
  std::vector<std::string> unknown;  // local domain, no such user or alias
  std::vector<std::string> remote;   // other domains (forwarding: not done by mda)
  bool loop = false;                 // some branch came back to an address on its path
  bool too_deep = false;             // some branch went deeper than kMaxAliasDepth
  bool too_many = false;             // kMaxExpandedAddresses reached
};

class AliasExpander {
 public:
  explicit AliasExpander(std::string address);

  // The address whose lookup result feed() expects; nullopt: finished.
  std::optional<std::string> next() const;
  void feed(const DirectoryEntry& entry);
  const Expansion& result() const { return result_; }

 private:
  struct Item {
    std::string address;
    std::vector<std::string> path;  // aliases above it, outermost first
  };
  void advance();
  bool on_path(const Item& item, const std::string& address) const;

  std::vector<Item> stack_;  // depth first; back() is next
  std::set<std::string> seen_;
  size_t lookups_ = 0;
  Expansion result_;
};

}  // namespace gm::auth
