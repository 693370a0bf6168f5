// A small directory of users and groups, as Entra ID has them for policy targeting: users by
// UPN; groups with static members (listed) or dynamic membership (a rule on the UPN,
// membership_rule.h). "all_users" is every user.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/policy/load_error.h"
#include "tools/policy/membership_rule.h"

namespace vfido::policy {

struct User {
  std::string upn;           // userPrincipalName
  std::string display_name;
};

struct Group {
  std::string id;
  std::string name;
  std::vector<std::string> members;     // UPNs (static membership)
  std::optional<MembershipRule> rule;   // dynamic membership
  SourceLocation where;
};

class Directory {
 public:
  std::vector<User> users;
  std::vector<Group> groups;

  const User* user(std::string_view upn) const;   // UPNs compare without case
  const Group* group(std::string_view id) const;
  // Whether `upn` belongs to group `id` (kAllUsers: every known user). Unknown groups: false.
  bool is_member(std::string_view upn, std::string_view group_id) const;
  // "admins (dynamic: user.userPrincipalName -startsWith \"admin\")"
  std::string describe_group(std::string_view id) const;
};

bool same_upn(std::string_view a, std::string_view b);

}  // namespace vfido::policy
