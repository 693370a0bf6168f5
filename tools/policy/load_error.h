// Where a policy or scenario value came from, and what was wrong with it: every loader error
// names the file, the line and column (1-based) and the field, as a dotted path from the
// document's root ("policy.passkey.profiles[1].key_restrictions.aaguids[0]").
#pragma once

#include <string>

namespace vfido::policy {

struct SourceLocation {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown (an object built in code)
  int column = 0;  // 1-based

  bool known() const { return line > 0; }
  // "scenario.yaml:12:5", "scenario.yaml", or "" when nothing is known.
  std::string to_string() const;
};

struct LoadError {
  SourceLocation where;
  std::string field;    // empty for a syntax error
  std::string message;

  // "scenario.yaml:12:5: policy.passkey.profiles[1].types: unknown passkey type \"roaming\""
  std::string to_string() const;
};

}  // namespace vfido::policy
