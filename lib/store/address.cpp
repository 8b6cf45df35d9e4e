#include "store/address.hpp"

#include "core/str.hpp"

namespace gm::store {
namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// RFC 5322 3.2.3 atext, less '/' (see address.hpp).
bool is_atext(char c) {
  if (is_alnum(c)) return true;
  constexpr std::string_view kSpecials = "!#$%&'*+-=?^_`{|}~";
  return kSpecials.find(c) != std::string_view::npos;
}

Status check_label(std::string_view label) {
  if (label.empty()) return make_error("empty label in domain");
  if (label.size() > kMaxLabelLength) return make_error("domain label longer than 63 octets");
  if (label.front() == '-' || label.back() == '-')
    return make_error("domain label starts or ends with '-'");
  for (char c : label)
    if (!is_alnum(c) && c != '-') return make_error("invalid character in domain");
  return {};
}

Status check_local_part(std::string_view local) {
  if (local.empty()) return make_error("empty local part");
  if (local.size() > kMaxLocalPartLength) return make_error("local part longer than 64 octets");
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos)
    return make_error("misplaced '.' in local part");
  for (char c : local)
    if (c != '.' && !is_atext(c)) return make_error("invalid character in local part");
  return {};
}

}  // namespace

Result<std::string> canonical_domain(std::string_view domain) {
  if (domain.empty()) return make_error("empty domain");
  if (domain.size() > kMaxDomainLength) return make_error("domain longer than 255 octets");
  size_t start = 0;
  while (true) {
    size_t dot = domain.find('.', start);
    std::string_view label =
        domain.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (Status s = check_label(label); !s) return s.error();
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return to_lower(domain);
}

Result<std::string> canonical_address(std::string_view address) {
  if (address.size() > kMaxAddressLength) return make_error("address longer than 254 octets");
  size_t at = address.rfind('@');
  if (at == std::string_view::npos) return make_error("address has no '@'");
  if (Status s = check_local_part(address.substr(0, at)); !s) return s.error();
  Result<std::string> domain = canonical_domain(address.substr(at + 1));
  if (!domain) return domain.error();
  return str_cat(address.substr(0, at), "@", *domain);
}

std::string_view local_part_of(std::string_view canonical) {
  return canonical.substr(0, canonical.rfind('@'));
}

std::string_view domain_of(std::string_view canonical) {
  size_t at = canonical.rfind('@');
  return at == std::string_view::npos ? std::string_view() : canonical.substr(at + 1);
}

}  // namespace gm::store
