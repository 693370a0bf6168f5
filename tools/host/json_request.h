// Strict JSON for the control API (control_api.h): one request object per line, parsed with
// limits, and a typed reader for its parameters that refuses what it does not know.
//
// parse_json_line() refuses, with a message: text that is not JSON, more than kMaxDepth levels
// of nesting, duplicate member names (JSON leaves them undefined; RFC 8259 §4), and invalid
// UTF-8. Params reads members by name and type; the first problem is kept (later reads return
// defaults), and finish() also refuses members nobody asked for, so a misspelt parameter is an
// error instead of being ignored.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "authenticator/bytes.h"

namespace vfido::host {

using json = nlohmann::json;

// WebDriver error codes (W3C WebDriver §6.6) where one fits, and vfido's own for the framing.
enum class ApiErrorCode : std::uint8_t {
  kParseError,            // "parse error": the line is not JSON
  kInvalidRequest,        // "invalid request": JSON, but not a request object
  kUnknownCommand,        // "unknown command": no such method
  kInvalidArgument,       // "invalid argument": a parameter is missing, mistyped or wrong
  kUnsupportedOperation,  // "unsupported operation": valid, but vfido cannot do it
  kUnknownError,          // "unknown error": the daemon failed
};
std::string_view api_error_code_name(ApiErrorCode code);

struct ApiError {
  ApiErrorCode code = ApiErrorCode::kInvalidArgument;
  std::string message;
};
ApiError invalid_argument(std::string message);

// Nesting deeper than this is refused: requests need three levels.
inline constexpr std::size_t kMaxDepth = 16;

tl::expected<json, std::string> parse_json_line(std::string_view line);

class Params {
 public:
  // `object` must outlive the Params; `where` names the method in messages ("addCredential").
  Params(const json& object, std::string where);

  std::optional<bool> opt_bool(std::string_view name);
  bool req_bool(std::string_view name);
  std::optional<std::string> opt_string(std::string_view name);
  std::string req_string(std::string_view name);
  // Non-negative integers up to `max`; floats and negative numbers are refused.
  std::optional<std::uint64_t> opt_uint(std::string_view name, std::uint64_t max);
  std::uint64_t req_uint(std::string_view name, std::uint64_t max);
  std::optional<std::int64_t> opt_int(std::string_view name, std::int64_t min, std::int64_t max);
  // base64url without padding (RFC 4648 §5), as WebAuthn encodes binary members.
  std::optional<Bytes> opt_base64url(std::string_view name);
  Bytes req_base64url(std::string_view name);
  std::optional<std::vector<std::string>> opt_string_array(std::string_view name);
  // Whether the member is present (and not null); whether it is present as null (which counts
  // as reading it).
  bool has(std::string_view name) const;
  bool is_null(std::string_view name);

  bool ok() const { return !error_; }
  // The first problem; or a member that was never read; or success.
  tl::expected<void, ApiError> finish();

 private:
  const json* member(std::string_view name, bool required);
  void fail(std::string message);

  const json& object_;
  std::string where_;
  std::set<std::string, std::less<>> read_;
  std::optional<ApiError> error_;
};

}  // namespace vfido::host
