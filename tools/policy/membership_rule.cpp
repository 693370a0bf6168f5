#include "tools/policy/membership_rule.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <regex>
#include <vector>

namespace vfido::policy {

namespace {

enum class Op { kEq, kNe, kStartsWith, kNotStartsWith, kContains, kNotContains, kEndsWith, kNotEndsWith, kMatch, kNotMatch };

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<Op> operator_named(std::string_view word) {
  const std::string w = lower(word);
  if (w == "-eq") return Op::kEq;
  if (w == "-ne") return Op::kNe;
  if (w == "-startswith") return Op::kStartsWith;
  if (w == "-notstartswith") return Op::kNotStartsWith;
  if (w == "-contains") return Op::kContains;
  if (w == "-notcontains") return Op::kNotContains;
  if (w == "-endswith") return Op::kEndsWith;
  if (w == "-notendswith") return Op::kNotEndsWith;
  if (w == "-match") return Op::kMatch;
  if (w == "-notmatch") return Op::kNotMatch;
  return std::nullopt;
}

}  // namespace

struct MembershipRule::Node {
  enum class Kind { kCompare, kAnd, kOr, kNot } kind = Kind::kCompare;
  Op op = Op::kEq;
  std::string value;  // lower-cased
  std::optional<std::regex> pattern;
  std::shared_ptr<const Node> left, right;

  bool eval(const std::string& upn) const {  // upn lower-cased
    switch (kind) {
      case Kind::kAnd:
        return left->eval(upn) && right->eval(upn);
      case Kind::kOr:
        return left->eval(upn) || right->eval(upn);
      case Kind::kNot:
        return !left->eval(upn);
      case Kind::kCompare:
        break;
    }
    const bool starts = upn.rfind(value, 0) == 0;
    const bool ends = upn.size() >= value.size() && upn.compare(upn.size() - value.size(), value.size(), value) == 0;
    const bool has = upn.find(value) != std::string::npos;
    switch (op) {
      case Op::kEq: return upn == value;
      case Op::kNe: return upn != value;
      case Op::kStartsWith: return starts;
      case Op::kNotStartsWith: return !starts;
      case Op::kContains: return has;
      case Op::kNotContains: return !has;
      case Op::kEndsWith: return ends;
      case Op::kNotEndsWith: return !ends;
      case Op::kMatch: return std::regex_search(upn, *pattern);
      case Op::kNotMatch: return !std::regex_search(upn, *pattern);
    }
    return false;
  }
};

namespace {

using NodePtr = std::shared_ptr<const MembershipRule::Node>;
using Node = MembershipRule::Node;

struct Token {
  enum class Kind { kWord, kString, kOpen, kClose, kEnd } kind;
  std::string text;
  std::size_t at;
};

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  tl::expected<NodePtr, std::string> run() {
    if (auto e = tokenize(); !e) return tl::unexpected(e.error());
    auto n = parse_or();
    if (!n) return n;
    if (peek().kind != Token::Kind::kEnd) return fail(peek(), "expected -and, -or or the end of the rule");
    return n;
  }

 private:
  tl::expected<void, std::string> tokenize() {
    std::size_t i = 0;
    while (i < text_.size()) {
      const char c = text_[i];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
      } else if (c == '(' || c == ')') {
        tokens_.push_back({c == '(' ? Token::Kind::kOpen : Token::Kind::kClose, std::string(1, c), i});
        ++i;
      } else if (c == '"') {
        std::string value;
        std::size_t j = i + 1;
        // Entra escapes a quote inside a value with a backtick: `"
        while (j < text_.size() && text_[j] != '"') {
          if (text_[j] == '`' && j + 1 < text_.size()) ++j;
          value.push_back(text_[j++]);
        }
        if (j >= text_.size()) return tl::unexpected("at " + std::to_string(i) + ": unterminated string");
        tokens_.push_back({Token::Kind::kString, value, i});
        i = j + 1;
      } else {
        std::size_t j = i;
        while (j < text_.size() && !std::isspace(static_cast<unsigned char>(text_[j])) && text_[j] != '(' &&
               text_[j] != ')' && text_[j] != '"') {
          ++j;
        }
        tokens_.push_back({Token::Kind::kWord, std::string(text_.substr(i, j - i)), i});
        i = j;
      }
    }
    tokens_.push_back({Token::Kind::kEnd, "", text_.size()});
    return {};
  }

  const Token& peek() const { return tokens_[pos_]; }
  const Token& next() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }
  bool word_is(const Token& t, std::string_view w) const { return t.kind == Token::Kind::kWord && lower(t.text) == w; }
  tl::unexpected<std::string> fail(const Token& t, const std::string& what) const {
    return tl::unexpected("at " + std::to_string(t.at) + (t.kind == Token::Kind::kEnd ? " (end)" : " (\"" + t.text + "\")") + ": " + what);
  }

  tl::expected<NodePtr, std::string> parse_or() { return parse_binary(Node::Kind::kOr, "-or", &Parser::parse_and); }
  tl::expected<NodePtr, std::string> parse_and() { return parse_binary(Node::Kind::kAnd, "-and", &Parser::parse_unary); }

  // operand (word operand)*, left-associative.
  tl::expected<NodePtr, std::string> parse_binary(Node::Kind kind, std::string_view word,
                                                  tl::expected<NodePtr, std::string> (Parser::*operand)()) {
    auto left = (this->*operand)();
    while (left && word_is(peek(), word)) {
      next();
      auto right = (this->*operand)();
      if (!right) return right;
      auto n = std::make_shared<Node>();
      n->kind = kind;
      n->left = *left;
      n->right = *right;
      left = n;
    }
    return left;
  }

  tl::expected<NodePtr, std::string> parse_unary() {
    if (word_is(peek(), "-not")) {
      next();
      auto inner = parse_unary();
      if (!inner) return inner;
      auto n = std::make_shared<Node>();
      n->kind = Node::Kind::kNot;
      n->left = *inner;
      return NodePtr(n);
    }
    if (peek().kind == Token::Kind::kOpen) {
      next();
      auto inner = parse_or();
      if (!inner) return inner;
      if (peek().kind != Token::Kind::kClose) return fail(peek(), "expected )");
      next();
      return inner;
    }
    return parse_comparison();
  }

  tl::expected<NodePtr, std::string> parse_comparison() {
    const Token& property = next();
    if (!word_is(property, "user.userprincipalname")) {
      return fail(property, "expected user.userPrincipalName (the only property vfido's directory has)");
    }
    const Token& op_token = next();
    auto op = op_token.kind == Token::Kind::kWord ? operator_named(op_token.text) : std::nullopt;
    if (!op) return fail(op_token, "expected an operator (-eq, -ne, -startsWith, -notStartsWith, -contains, -notContains, -endsWith, -notEndsWith, -match, -notMatch)");
    const Token& value = next();
    if (value.kind != Token::Kind::kString) return fail(value, "expected a quoted value");
    auto n = std::make_shared<Node>();
    n->op = *op;
    n->value = lower(value.text);
    if (*op == Op::kMatch || *op == Op::kNotMatch) {
      try {
        n->pattern.emplace(value.text, std::regex::ECMAScript | std::regex::icase);
      } catch (const std::regex_error& e) {
        return fail(value, std::string("not a regular expression: ") + e.what());
      }
    }
    return NodePtr(n);
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
};

}  // namespace

tl::expected<MembershipRule, std::string> MembershipRule::parse(std::string_view text) {
  auto root = Parser(text).run();
  if (!root) return tl::unexpected(root.error());
  MembershipRule rule;
  rule.text_ = std::string(text);
  rule.root_ = *root;
  return rule;
}

bool MembershipRule::matches(std::string_view upn) const { return root_ && root_->eval(lower(upn)); }

}  // namespace vfido::policy
