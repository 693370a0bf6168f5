#include "tools/policy/directory.h"

#include <algorithm>
#include <cctype>

#include "tools/policy/passkey_policy.h"

namespace vfido::policy {

bool same_upn(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

const User* Directory::user(std::string_view upn) const {
  for (const auto& u : users) {
    if (same_upn(u.upn, upn)) return &u;
  }
  return nullptr;
}

const Group* Directory::group(std::string_view id) const {
  for (const auto& g : groups) {
    if (g.id == id) return &g;
  }
  return nullptr;
}

bool Directory::is_member(std::string_view upn, std::string_view group_id) const {
  if (user(upn) == nullptr) return false;
  if (group_id == kAllUsers) return true;
  const Group* g = group(group_id);
  if (g == nullptr) return false;
  if (g->rule) return g->rule->matches(upn);
  return std::any_of(g->members.begin(), g->members.end(), [&](const std::string& m) { return same_upn(m, upn); });
}

std::string Directory::describe_group(std::string_view id) const {
  if (id == kAllUsers) return "all users";
  const Group* g = group(id);
  if (g == nullptr) return std::string(id) + " (unknown group)";
  std::string label = g->name.empty() ? g->id : g->name;
  if (g->rule) return label + " (dynamic: " + g->rule->text() + ")";
  return label;
}

}  // namespace vfido::policy
