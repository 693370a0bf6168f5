#include "tools/host/json_request.h"

#include <limits>
#include <utility>

#include "authenticator/base64.h"

namespace vfido::host {
namespace {

// Thrown from the parser callback to stop parsing at once; caught in parse_json_line().
struct Refused {
  std::string why;
};

std::string type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::string:
      return "a string";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "an integer";
    case json::value_t::number_float:
      return "a number with a fraction";
    case json::value_t::array:
      return "an array";
    case json::value_t::object:
      return "an object";
    default:
      return "something else";
  }
}

}  // namespace

std::string_view api_error_code_name(ApiErrorCode code) {
  switch (code) {
    case ApiErrorCode::kParseError:
      return "parse error";
    case ApiErrorCode::kInvalidRequest:
      return "invalid request";
    case ApiErrorCode::kUnknownCommand:
      return "unknown command";
    case ApiErrorCode::kInvalidArgument:
      return "invalid argument";
    case ApiErrorCode::kUnsupportedOperation:
      return "unsupported operation";
    case ApiErrorCode::kUnknownError:
      return "unknown error";
  }
  return "unknown error";
}

ApiError invalid_argument(std::string message) { return ApiError{ApiErrorCode::kInvalidArgument, std::move(message)}; }

tl::expected<json, std::string> parse_json_line(std::string_view line) {
  // One set of member names per open object (an empty marker set for arrays), to find
  // duplicates; the depth the parser reports is checked against kMaxDepth.
  std::vector<std::set<std::string>> names;
  auto callback = [&names](int depth, json::parse_event_t event, json& parsed) -> bool {
    if (depth > static_cast<int>(kMaxDepth)) throw Refused{"nested deeper than " + std::to_string(kMaxDepth) + " levels"};
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        names.emplace_back();
        break;
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        if (!names.empty()) names.pop_back();
        break;
      case json::parse_event_t::key:
        if (!names.empty() && !names.back().insert(parsed.get<std::string>()).second) {
          throw Refused{"member \"" + parsed.get<std::string>() + "\" appears twice"};
        }
        break;
      case json::parse_event_t::value:
        break;
    }
    return true;
  };
  try {
    return json::parse(line.begin(), line.end(), callback, /*allow_exceptions=*/true, /*ignore_comments=*/false);
  } catch (const Refused& r) {
    return tl::unexpected(r.why);
  } catch (const json::exception& e) {
    return tl::unexpected(std::string(e.what()));
  }
}

Params::Params(const json& object, std::string where) : object_(object), where_(std::move(where)) {}

void Params::fail(std::string message) {
  if (!error_) error_ = invalid_argument(where_ + ": " + std::move(message));
}

bool Params::has(std::string_view name) const {
  auto it = object_.find(name);
  return it != object_.end() && !it->is_null();
}

bool Params::is_null(std::string_view name) {
  auto it = object_.find(name);
  if (it != object_.end() && it->is_null()) read_.emplace(name);
  return it != object_.end() && it->is_null();
}

const json* Params::member(std::string_view name, bool required) {
  read_.emplace(name);
  auto it = object_.find(name);
  if (it == object_.end() || it->is_null()) {
    if (required) fail("\"" + std::string(name) + "\" is required");
    return nullptr;
  }
  return &*it;
}

std::optional<bool> Params::opt_bool(std::string_view name) {
  const json* v = member(name, false);
  if (v == nullptr) return std::nullopt;
  if (!v->is_boolean()) {
    fail("\"" + std::string(name) + "\" must be true or false, not " + type_name(*v));
    return std::nullopt;
  }
  return v->get<bool>();
}

bool Params::req_bool(std::string_view name) {
  if (!has(name)) member(name, true);
  return opt_bool(name).value_or(false);
}

std::optional<std::string> Params::opt_string(std::string_view name) {
  const json* v = member(name, false);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) {
    fail("\"" + std::string(name) + "\" must be a string, not " + type_name(*v));
    return std::nullopt;
  }
  return v->get<std::string>();
}

std::string Params::req_string(std::string_view name) {
  if (!has(name)) member(name, true);
  return opt_string(name).value_or(std::string());
}

std::optional<std::uint64_t> Params::opt_uint(std::string_view name, std::uint64_t max) {
  const json* v = member(name, false);
  if (v == nullptr) return std::nullopt;
  const bool integer = v->is_number_unsigned() || (v->is_number_integer() && v->get<std::int64_t>() >= 0);
  if (!integer || v->get<std::uint64_t>() > max) {
    fail("\"" + std::string(name) + "\" must be an integer from 0 to " + std::to_string(max) +
         (integer ? "" : ", not " + type_name(*v)));
    return std::nullopt;
  }
  return v->get<std::uint64_t>();
}

std::uint64_t Params::req_uint(std::string_view name, std::uint64_t max) {
  if (!has(name)) member(name, true);
  return opt_uint(name, max).value_or(0);
}

std::optional<std::int64_t> Params::opt_int(std::string_view name, std::int64_t min, std::int64_t max) {
  const json* v = member(name, false);
  if (v == nullptr) return std::nullopt;
  const bool fits = v->is_number_integer() && !(v->is_number_unsigned() && v->get<std::uint64_t>() >
                                                                          static_cast<std::uint64_t>(max));
  if (!fits || v->get<std::int64_t>() < min || v->get<std::int64_t>() > max) {
    fail("\"" + std::string(name) + "\" must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
    return std::nullopt;
  }
  return v->get<std::int64_t>();
}

std::optional<Bytes> Params::opt_base64url(std::string_view name) {
  auto text = opt_string(name);
  if (!text) return std::nullopt;
  auto bytes = vfido::base64url_decode(*text);
  if (!bytes) {
    fail("\"" + std::string(name) + "\" is not base64url (RFC 4648 §5, without padding)");
    return std::nullopt;
  }
  return bytes;
}

Bytes Params::req_base64url(std::string_view name) {
  if (!has(name)) member(name, true);
  return opt_base64url(name).value_or(Bytes{});
}

std::optional<std::vector<std::string>> Params::opt_string_array(std::string_view name) {
  const json* v = member(name, false);
  if (v == nullptr) return std::nullopt;
  std::vector<std::string> out;
  if (v->is_array()) {
    for (const json& e : *v) {
      if (!e.is_string()) break;
      out.push_back(e.get<std::string>());
    }
  }
  if (!v->is_array() || out.size() != v->size()) {
    fail("\"" + std::string(name) + "\" must be an array of strings");
    return std::nullopt;
  }
  return out;
}

tl::expected<void, ApiError> Params::finish() {
  if (error_) return tl::unexpected(*error_);
  for (const auto& [name, value] : object_.items()) {
    if (read_.count(name) == 0) return tl::unexpected(invalid_argument(where_ + ": unknown parameter \"" + name + "\""));
  }
  return {};
}

}  // namespace vfido::host
