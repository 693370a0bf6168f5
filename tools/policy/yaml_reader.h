// Reading YAML (and JSON, which yaml-cpp reads as YAML) with the position of every node kept,
// so that each error names file, line, column and field. yaml-cpp (Debian's libyaml-cpp-dev
// 0.7) gives every node a mark; YamlNode carries it with the node's dotted path.
//
// The readers throw LoadFailure; each loader's public entry point catches it and returns the
// LoadError as a value (no exception leaves a loader).
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/policy/load_error.h"

namespace vfido::policy {

struct LoadFailure {
  LoadError error;
};

// What one document is read under.
struct ReadContext {
  std::string file;  // as it appears in messages
  // YAML files: a key the reader does not know is an error. Graph JSON: it is recorded in
  // `warnings` and skipped, and OData annotations ("@odata.type", "x@odata.context") are skipped
  // silently.
  bool unknown_keys_are_errors = true;
  std::vector<LoadError> warnings;
};

class YamlNode {
 public:
  YamlNode(YAML::Node node, std::shared_ptr<ReadContext> context, std::string path)
      : node_(std::move(node)), context_(std::move(context)), path_(std::move(path)) {}

  const std::string& path() const { return path_; }
  SourceLocation where() const;
  ReadContext& context() const { return *context_; }
  const YAML::Node& raw() const { return node_; }

  // Throws LoadFailure at this node: "file:line:col: path: message".
  [[noreturn]] void fail(const std::string& message) const;
  LoadError error(const std::string& message) const;

  bool is_null() const { return !node_.IsDefined() || node_.IsNull(); }
  bool is_map() const { return node_.IsMap(); }
  bool is_sequence() const { return node_.IsSequence(); }
  bool is_scalar() const { return node_.IsScalar(); }

  // A scalar (any text; numbers come back as written). Fails on maps, lists and null.
  std::string str() const;
  // A non-empty scalar.
  std::string nonempty_str() const;
  // true or false, unquoted.
  bool boolean() const;
  // A scalar that must be one of `choices` (compared exactly).
  std::string one_of(std::initializer_list<std::string_view> choices) const;
  // A list (a YAML sequence). Fails on anything else.
  std::vector<YamlNode> items() const;
  // A list of scalars.
  std::vector<std::string> strings() const;

  // The member `key` of a mapping, with its path; the caller has checked that it exists.
  YamlNode member(std::string_view key) const;

 private:
  YAML::Node node_;
  std::shared_ptr<ReadContext> context_;
  std::string path_;
};

// A mapping whose keys were checked against the ones the reader knows: unknown keys fail (or,
// with context().unknown_keys_are_errors false, become warnings), and a key given twice fails.
class YamlMap {
 public:
  YamlMap(const YamlNode& node, std::initializer_list<std::string_view> known);

  const YamlNode& node() const { return node_; }
  bool has(std::string_view key) const;
  // The member, or nullopt when absent (or null in a lenient JSON document, where null means
  // "not set").
  std::optional<YamlNode> get(std::string_view key) const;
  // The member; fails at the mapping when it is absent.
  YamlNode require(std::string_view key) const;

  std::optional<std::string> str(std::string_view key) const;
  std::optional<bool> boolean(std::string_view key) const;

 private:
  YamlNode node_;
};

// Parses one YAML document (JSON is YAML too). Syntax errors fail with the position yaml-cpp
// reports; an empty document or several documents fail too.
YamlNode parse_yaml_document(const std::string& text, std::shared_ptr<ReadContext> context);

// "[3]" / ".key" appended to a path ("" at the root gives "key").
std::string child_path(const std::string& parent, std::string_view key);
std::string item_path(const std::string& parent, std::size_t index);

}  // namespace vfido::policy
