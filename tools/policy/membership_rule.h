// Dynamic group membership rules on the user's UPN, in the syntax of Entra ID dynamic groups
// ("Dynamic membership rules for groups": property, operator, quoted value, combined with -and,
// -or, -not and parentheses), for the one property vfido's directory has:
//
//   user.userPrincipalName -startsWith "admin"
//   (user.userPrincipalName -endsWith "@contoso.com") -and -not (user.userPrincipalName -eq "ceo@contoso.com")
//
// Operators: -eq -ne -startsWith -notStartsWith -contains -notContains -endsWith -notEndsWith
// -match -notMatch (ECMAScript regular expression). String comparisons ignore case, as Entra's
// do. Operators and property names are case-insensitive too. -endsWith is vfido's addition.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace vfido::policy {

class MembershipRule {
 public:
  // The error names the position (0-based character offset) and what was expected.
  static tl::expected<MembershipRule, std::string> parse(std::string_view text);

  bool matches(std::string_view upn) const;
  const std::string& text() const { return text_; }

  struct Node;

 private:
  std::string text_;
  std::shared_ptr<const Node> root_;
};

}  // namespace vfido::policy
