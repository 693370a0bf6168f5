// Dynamic group membership rules on the UPN.
#include <doctest/doctest.h>

#include "tools/policy/membership_rule.h"

using vfido::policy::MembershipRule;

namespace {
bool matches(const char* rule, const char* upn) {
  auto r = MembershipRule::parse(rule);
  INFO(rule << ": " << (r ? "" : r.error()));
  REQUIRE(r);
  return r->matches(upn);
}
}  // namespace

TEST_CASE("membership rule: operators, case-insensitively") {
  CHECK(matches(R"(user.userPrincipalName -startsWith "admin")", "Admin.Carol@contoso.com"));
  CHECK_FALSE(matches(R"(user.userPrincipalName -startsWith "admin")", "carol@contoso.com"));
  CHECK(matches(R"(user.userPrincipalName -notStartsWith "admin")", "carol@contoso.com"));
  CHECK(matches(R"(user.userprincipalname -EQ "carol@contoso.com")", "CAROL@contoso.com"));
  CHECK(matches(R"(user.userPrincipalName -ne "carol@contoso.com")", "dave@contoso.com"));
  CHECK(matches(R"(user.userPrincipalName -contains "@contractors.")", "zed@contractors.example"));
  CHECK(matches(R"(user.userPrincipalName -notContains "@contractors.")", "zed@contoso.com"));
  CHECK(matches(R"(user.userPrincipalName -endsWith "@contoso.com")", "zed@contoso.com"));
  CHECK(matches(R"(user.userPrincipalName -notEndsWith "@contoso.com")", "zed@fabrikam.com"));
  CHECK(matches(R"(user.userPrincipalName -match "^adm(in)?[.]")", "adm.x@contoso.com"));
  CHECK(matches(R"(user.userPrincipalName -notMatch "^adm")", "x@contoso.com"));
}

TEST_CASE("membership rule: -and, -or, -not and parentheses") {
  const char* rule =
      R"((user.userPrincipalName -endsWith "@contoso.com") -and -not (user.userPrincipalName -eq "ceo@contoso.com" -or user.userPrincipalName -startsWith "svc-"))";
  CHECK(matches(rule, "alice@contoso.com"));
  CHECK_FALSE(matches(rule, "ceo@contoso.com"));
  CHECK_FALSE(matches(rule, "svc-backup@contoso.com"));
  CHECK_FALSE(matches(rule, "alice@fabrikam.com"));
  // -and binds tighter than -or.
  CHECK(matches(R"(user.userPrincipalName -eq "a@x" -or user.userPrincipalName -eq "b@x" -and user.userPrincipalName -eq "c@x")", "a@x"));
}

TEST_CASE("membership rule: malformed rules say where") {
  for (const char* bad : {"", "user.department -eq \"x\"", "user.userPrincipalName -like \"x\"", "user.userPrincipalName -eq x",
                          "user.userPrincipalName -eq \"x", "(user.userPrincipalName -eq \"x\"", "user.userPrincipalName -eq \"x\" junk",
                          "user.userPrincipalName -match \"(\""}) {
    CAPTURE(bad);
    auto r = MembershipRule::parse(bad);
    CHECK_FALSE(r);
    if (!r) CHECK(r.error().rfind("at ", 0) == 0);
  }
}
