#include "tools/policy/yaml_reader.h"

#include <algorithm>
#include <set>

namespace vfido::policy {

std::string SourceLocation::to_string() const {
  if (file.empty() && !known()) return {};
  if (!known()) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string LoadError::to_string() const {
  std::string out = where.to_string();
  if (!out.empty()) out += ": ";
  if (!field.empty()) out += field + ": ";
  return out + message;
}

std::string child_path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string item_path(const std::string& parent, std::size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

namespace {

SourceLocation location(const std::string& file, const YAML::Mark& mark) {
  SourceLocation at;
  at.file = file;
  if (mark.line >= 0) {
    at.line = mark.line + 1;
    at.column = mark.column + 1;
  }
  return at;
}

std::string kind_of(const YAML::Node& n) {
  if (!n.IsDefined() || n.IsNull()) return "nothing";
  if (n.IsMap()) return "a mapping";
  if (n.IsSequence()) return "a list";
  return "\"" + n.Scalar() + "\"";
}

// An OData annotation: "@odata.type", "includeTargets@odata.context".
bool is_annotation(std::string_view key) { return key.find('@') != std::string_view::npos; }

}  // namespace

SourceLocation YamlNode::where() const { return location(context_->file, node_.Mark()); }

LoadError YamlNode::error(const std::string& message) const { return LoadError{where(), path_, message}; }

void YamlNode::fail(const std::string& message) const { throw LoadFailure{error(message)}; }

std::string YamlNode::str() const {
  if (!node_.IsScalar()) fail("expected a value (text), found " + kind_of(node_));
  return node_.Scalar();
}

std::string YamlNode::nonempty_str() const {
  std::string s = str();
  if (s.empty()) fail("must not be empty");
  return s;
}

bool YamlNode::boolean() const {
  // A plain scalar has the non-specific tag "?"; a quoted one "!" (YAML 1.2 §6.9.1).
  if (node_.IsScalar() && node_.Tag() != "!") {
    if (node_.Scalar() == "true") return true;
    if (node_.Scalar() == "false") return false;
  }
  fail("expected true or false, found " + kind_of(node_) + (node_.IsScalar() && node_.Tag() == "!" ? " (quoted)" : ""));
}

std::string YamlNode::one_of(std::initializer_list<std::string_view> choices) const {
  std::string s = str();
  for (auto c : choices) {
    if (s == c) return s;
  }
  std::string list;
  for (auto c : choices) list += (list.empty() ? "" : ", ") + std::string(c);
  fail("\"" + s + "\" is not one of " + list);
}

std::vector<YamlNode> YamlNode::items() const {
  if (!node_.IsSequence()) fail("expected a list, found " + kind_of(node_));
  std::vector<YamlNode> out;
  std::size_t i = 0;
  for (const auto& item : node_) out.emplace_back(item, context_, item_path(path_, i++));
  return out;
}

std::vector<std::string> YamlNode::strings() const {
  std::vector<std::string> out;
  for (const auto& item : items()) out.push_back(item.str());
  return out;
}

YamlNode YamlNode::member(std::string_view key) const {
  for (const auto& kv : node_) {
    if (kv.first.IsScalar() && kv.first.Scalar() == key) return YamlNode(kv.second, context_, child_path(path_, key));
  }
  return YamlNode(YAML::Node(YAML::NodeType::Undefined), context_, child_path(path_, key));
}

YamlMap::YamlMap(const YamlNode& node, std::initializer_list<std::string_view> known) : node_(node) {
  if (!node.is_map()) node.fail("expected a mapping (key: value lines), found " + kind_of(node.raw()));
  std::set<std::string> seen;
  for (const auto& kv : node.raw()) {
    if (!kv.first.IsScalar()) {
      throw LoadFailure{LoadError{location(node.context().file, kv.first.Mark()), node.path(), "a key must be text"}};
    }
    const std::string& k = kv.first.Scalar();
    const LoadError at{location(node.context().file, kv.first.Mark()), child_path(node.path(), k), ""};
    if (!seen.insert(k).second) throw LoadFailure{LoadError{at.where, at.field, "given twice"}};
    if (std::find(known.begin(), known.end(), k) != known.end()) continue;
    if (!node.context().unknown_keys_are_errors) {
      if (!is_annotation(k)) node.context().warnings.push_back(LoadError{at.where, at.field, "not mapped (ignored)"});
      continue;
    }
    std::string list;
    for (auto c : known) list += (list.empty() ? "" : ", ") + std::string(c);
    throw LoadFailure{LoadError{at.where, at.field, "unknown field (known here: " + list + ")"}};
  }
}

bool YamlMap::has(std::string_view key) const { return get(key).has_value(); }

std::optional<YamlNode> YamlMap::get(std::string_view key) const {
  YamlNode m = node_.member(key);
  if (!m.raw().IsDefined()) return std::nullopt;
  if (m.raw().IsNull() && !node_.context().unknown_keys_are_errors) return std::nullopt;
  return m;
}

YamlNode YamlMap::require(std::string_view key) const {
  auto m = get(key);
  if (!m) throw LoadFailure{LoadError{node_.where(), child_path(node_.path(), key), "required field is missing"}};
  return *m;
}

std::optional<std::string> YamlMap::str(std::string_view key) const {
  auto m = get(key);
  if (!m) return std::nullopt;
  return m->str();
}

std::optional<bool> YamlMap::boolean(std::string_view key) const {
  auto m = get(key);
  if (!m) return std::nullopt;
  return m->boolean();
}

YamlNode parse_yaml_document(const std::string& text, std::shared_ptr<ReadContext> context) {
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    throw LoadFailure{LoadError{location(context->file, e.mark), "", "syntax error: " + e.msg}};
  }
  if (docs.empty() || (docs.size() == 1 && docs[0].IsNull())) {
    throw LoadFailure{LoadError{SourceLocation{context->file, 0, 0}, "", "the file is empty"}};
  }
  if (docs.size() > 1) {
    throw LoadFailure{LoadError{location(context->file, docs[1].Mark()), "", "more than one YAML document (---) in the file"}};
  }
  return YamlNode(docs[0], std::move(context), "");
}

}  // namespace vfido::policy
