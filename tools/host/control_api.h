// The daemon's control API: newline-delimited JSON requests and responses (control_server.h
// moves the lines), in the W3C WebDriver virtual-authenticator vocabulary (WebAuthn L3 §11)
// where it has a word, plus vfido's own methods.
//
//   request:  {"id": 7, "method": "getCredentials", "params": {"authenticatorId": "k1"}}
//   response: {"id": 7, "result": {...}}
//             {"id": 7, "error": {"code": "invalid argument", "message": "..."}}
//
// "id" is optional (a string, an integer or null) and is echoed; "params" is optional (an
// object). WebDriver methods: addVirtualAuthenticator, removeVirtualAuthenticator,
// addCredential, getCredentials, removeCredential, removeAllCredentials, setUserVerified,
// setCredentialProperties. vfido's: status, listAuthenticators, getInfo, setPresenceMode,
// setBackupState, getPending, answerPending, powerCycle. Every method that works on one
// authenticator takes "authenticatorId", which may be left out while the daemon has exactly one.
// README.md ("Control API") documents each method's parameters and result.
//
// handle_line() runs on the daemon's io_context thread (the core is single-threaded); it never
// throws, and any input gets a response.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "tools/host/json_request.h"
#include "tools/host/key_registry.h"

namespace vfido::host {

// What the control API needs to know about its daemon.
struct DaemonInfo {
  std::string instance = "default";
  std::string control_path;  // this API's socket, for status
  // New authenticators get a uhid device like this one (its serial made unique per key);
  // nullopt: the daemon runs without uhid (--no-uhid) and new keys get a Unix socket in
  // socket_dir, named <instance>-<authenticatorId>.sock, unless the request names one.
  std::optional<transport::uhid::Options> uhid_template;
  std::string socket_dir;
  bool prompt_available = false;  // a terminal prompt is attached (presence mode "prompt")
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

class ControlApi {
 public:
  ControlApi(KeyRegistry& keys, DaemonInfo info);

  // One request line (without its newline) -> one response line (without a newline).
  std::string handle_line(std::string_view line);

  // The method names, for `vfido ctl` and tests.
  static std::vector<std::string_view> methods();

  // A response for a request that never became a line (too long, cut off): the error alone.
  static std::string error_line(ApiErrorCode code, const std::string& message);

 private:
  using Result = tl::expected<json, ApiError>;

  Result dispatch(const std::string& method, Params& p);
  // The key named by "authenticatorId", or the only one when the member is absent.
  tl::expected<HostedKey*, ApiError> key_for(Params& p);

  Result status(Params& p);
  Result list_authenticators(Params& p);
  Result get_info(Params& p);
  Result add_virtual_authenticator(Params& p);
  Result remove_virtual_authenticator(Params& p);
  Result set_user_verified(Params& p);
  Result set_presence_mode(Params& p);
  Result get_pending(Params& p);
  Result answer_pending(Params& p);
  Result power_cycle(Params& p);
  // control_credentials.cpp
  Result add_credential(Params& p);
  Result get_credentials(Params& p);
  Result remove_credential(Params& p);
  Result remove_all_credentials(Params& p);
  Result set_backup_state(Params& p);
  Result set_credential_properties(Params& p);
  Result change_backup_state(HostedKey& key, const Bytes& id, bool backed_up);

  json describe(HostedKey& key);

  KeyRegistry& keys_;
  DaemonInfo info_;
};

}  // namespace vfido::host
