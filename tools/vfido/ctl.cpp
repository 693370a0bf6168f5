// `vfido ctl`: the control API (tools/host/control_api.h) from the command line, one subcommand
// per method, talking to the daemon of `vfido up` (its control socket next to its pid file) or to
// any socket given with --socket (`vfido serve --control PATH`).
//
//   vfido ctl [--instance NAME | --socket PATH] [-a ID] [--json] SUBCOMMAND ...
//
//   status | list | info                          status, listAuthenticators, getInfo
//   add [--profile P] [--aaguid U] [--presence M] [--uv M] [--unix PATH] [--no-uhid]
//   remove ID                                     removeVirtualAuthenticator
//   credentials                                   getCredentials
//   import --rp RP --id B64URL --key FILE [--resident --user-handle B64URL --user-name N
//          --display-name N] [--sign-count N] [--backup-eligible] [--backup-state]
//          [--large-blob FILE]                    addCredential (FILE: PEM or PKCS #8 DER)
//   delete CREDENTIAL_ID | delete-all             removeCredential, removeAllCredentials
//   backup CREDENTIAL_ID on|off                   setBackupState
//   uv on|off | presence [--presence M] [--uv M]  setUserVerified, setPresenceMode
//   pending [--wait SECONDS]                      getPending (waiting until one is there)
//   approve [REQUEST_ID] | deny [REQUEST_ID]      answerPending
//   power-cycle                                   powerCycle
//   call METHOD [PARAMS_JSON]                     any method, the result as JSON
//
// Human-readable output by default, the method's JSON result with --json. Exit status: 0 on
// success, 1 when the daemon answers with an error, 2 on a usage error, 3 when no daemon runs.
#include <chrono>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "authenticator/crypto/pkcs8.h"
#include "authenticator/crypto/x509.h"
#include "authenticator/base64.h"
#include "tools/host/control_client.h"
#include "tools/host/daemon_instance.h"
#include "tools/vfido/commands.h"

namespace vfido::cli {
namespace {

using json = nlohmann::json;
constexpr int kNotRunning = 3;

struct CtlOptions {
  std::string instance = "default";
  std::string socket;
  std::string authenticator;
  bool json_output = false;
  double timeout_s = 10;
  // Subcommand arguments (each subcommand uses its own).
  std::string method;
  std::string text;       // call: params JSON; remove: the authenticator id; delete/backup: credential id
  std::string on_off;
  std::string profile, aaguid, presence, uv, unix_path;
  bool no_uhid = false;
  std::string rp, id, key_file, user_handle, user_name, display_name, large_blob_file;
  bool resident = false, backup_eligible = false, backup_state = false;
  std::optional<std::uint32_t> sign_count;
  std::optional<std::uint64_t> request_id;
  double wait_s = 0;
};

std::string read_file(const std::string& path, bool& ok) {
  std::ifstream in(path, std::ios::binary);
  ok = static_cast<bool>(in);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A private key file (PEM of any kind vfido reads, or PKCS #8 DER) as base64url PKCS #8 DER.
std::optional<std::string> key_param(const std::string& path) {
  bool ok = false;
  const std::string text = read_file(path, ok);
  if (!ok) {
    std::cerr << "vfido ctl: cannot read " << path << '\n';
    return std::nullopt;
  }
  if (text.find("-----BEGIN") != std::string::npos) {
    auto key = crypto::private_key_from_pem(text);
    if (!key) {
      std::cerr << "vfido ctl: " << path << ": " << crypto::describe(key.error()) << '\n';
      return std::nullopt;
    }
    auto der = crypto::private_key_to_pkcs8(*key);
    if (!der) return std::nullopt;
    return vfido::base64url_encode(der->expose());
  }
  return vfido::base64url_encode(as_span(text));  // DER as it is; the daemon checks it
}

void print_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width;
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < r.size(); ++i) {
      if (width.size() <= i) width.push_back(0);
      width[i] = std::max(width[i], r[i].size());
    }
  }
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < r.size(); ++i) {
      std::cout << r[i];
      if (i + 1 < r.size()) std::cout << std::string(width[i] - r[i].size() + 2, ' ');
    }
    std::cout << '\n';
  }
}

// Member `name` of `o`, or null when `o` has none (const json::operator[] must not be used so).
const json& get(const json& o, const char* name) {
  static const json kNull;
  if (!o.is_object()) return kNull;
  auto it = o.find(name);
  return it == o.end() ? kNull : *it;
}

std::string str(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "-";
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  return v.dump();
}

void print_key(const json& k) {
  std::cout << k.value("authenticatorId", "?") << ": " << str(get(k, "name")) << " (profile " << str(get(k, "profile"))
            << "), aaguid " << str(get(k, "aaguid")) << '\n';
  std::cout << "  presence " << str(get(k, "presence")) << ", user verification " << str(get(k, "userVerification"))
            << ", " << str(get(k, "credentials")) << " credential(s), " << str(get(k, "pending")) << " waiting\n";
  if (get(k, "uhid").is_object()) {
    const json& u = get(k, "uhid");
    std::cout << "  uhid: \"" << str(get(u, "name")) << "\" " << str(get(u, "vendorId")) << ':' << str(get(u, "productId"))
              << " serial " << str(get(u, "serial")) << ", " << str(get(u, "hidraw")) << '\n';
  }
  for (const json& p : get(k, "unix")) std::cout << "  unix: " << str(p) << '\n';
  if (!get(k, "udp").is_null()) std::cout << "  udp: " << str(get(k, "udp")) << '\n';
}

// Human-readable output of each method's result.
void print_human(const std::string& method, const json& r) {
  if (method == "status") {
    std::cout << "instance " << str(get(r, "instance")) << ", pid " << str(get(r, "pid")) << ", up " << str(get(r, "uptimeSeconds"))
              << " s\n  authenticators: ";
    for (const json& id : get(r, "authenticators")) std::cout << str(id) << ' ';
    std::cout << "\n  waiting requests: " << str(get(r, "pending")) << "\n  control: " << str(get(r, "control")) << '\n';
  } else if (method == "listAuthenticators") {
    for (const json& k : get(r, "authenticators")) print_key(k);
  } else if (method == "getInfo" || method == "addVirtualAuthenticator") {
    print_key(r);
  } else if (method == "getCredentials") {
    std::vector<std::vector<std::string>> rows = {{"CREDENTIAL ID", "RP ID", "USER", "RESIDENT", "BE", "BS", "COUNT"}};
    for (const json& c : get(r, "credentials")) {
      rows.push_back({str(get(c, "credentialId")), str(get(c, "rpId")), c.contains("userName") ? str(get(c, "userName")) : "-",
                      str(get(c, "isResidentCredential")), str(get(c, "backupEligibility")), str(get(c, "backupState")),
                      str(get(c, "signCount"))});
    }
    print_table(rows);
  } else if (method == "getPending") {
    if (get(r, "requests").empty()) {
      std::cout << "nothing is waiting\n";
      return;
    }
    std::vector<std::vector<std::string>> rows = {{"REQUEST", "KEY", "WHAT", "RP ID", "USER", "VIA", "WAITING"}};
    for (const json& q : get(r, "requests")) {
      rows.push_back({str(get(q, "requestId")), str(get(q, "authenticatorId")), str(get(q, "description")), str(get(q, "rpId")),
                      str(get(q, "userName")), str(get(q, "via")), str(get(q, "waitingMs")) + " ms"});
    }
    print_table(rows);
  } else if (method == "answerPending") {
    std::cout << "request " << str(get(r, "requestId")) << (r.value("approved", false) ? " approved" : " denied") << '\n';
  } else if (r.is_null()) {
    std::cout << "ok\n";
  } else {
    std::cout << r.dump(2) << '\n';
  }
}

int run(const CtlOptions& o, const std::string& method, json params) {
  if (!o.authenticator.empty() && !params.contains("authenticatorId") && method != "status" &&
      method != "listAuthenticators" && method != "addVirtualAuthenticator") {
    params["authenticatorId"] = o.authenticator;
  }
  const std::string path =
      o.socket.empty() ? host::control_socket_path(host::runtime_dir(), o.instance) : o.socket;
  auto client = host::ControlClient::connect(path);
  if (!client) {
    std::cerr << "vfido ctl: no vfido daemon to talk to: " << client.error() << "; start one with `vfido up"
              << (o.instance == "default" ? "" : " --instance " + o.instance) << "`\n";
    return kNotRunning;
  }
  const int timeout_ms = static_cast<int>(o.timeout_s * 1000);
  auto response = client->call(method, params, timeout_ms);
  // pending --wait: ask again until something waits or the time is up.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int>(o.wait_s * 1000));
  while (response && method == "getPending" && o.wait_s > 0 && response->contains("result") &&
         get(get(*response, "result"), "requests").empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    response = client->call(method, params, timeout_ms);
  }
  if (!response) {
    std::cerr << "vfido ctl: " << response.error() << '\n';
    return 1;
  }
  if (response->contains("error")) {
    const json& e = (*response)["error"];
    if (o.json_output) std::cout << e.dump(2) << '\n';
    std::cerr << "vfido ctl: " << method << ": " << e.value("message", "error") << " (" << e.value("code", "?") << ")\n";
    return 1;
  }
  if (!response->contains("result")) {
    std::cerr << "vfido ctl: the daemon's answer has neither result nor error\n";
    return 1;
  }
  const json& result = (*response)["result"];
  if (o.json_output) {
    std::cout << result.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
  } else {
    print_human(method, result);
  }
  if (method == "getPending" && o.wait_s > 0 && get(result, "requests").empty()) {
    std::cerr << "vfido ctl: nothing came to wait within " << o.wait_s << " s\n";
    return 1;
  }
  return 0;
}

bool on_off(const std::string& v) { return v == "on" || v == "true" || v == "yes"; }

}  // namespace

void add_ctl(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<CtlOptions>();
  CLI::App* ctl = app.add_subcommand("ctl", "Talk to a running daemon through its control API (JSON over a Unix socket)");
  ctl->require_subcommand(1);
  add_instance_option(ctl, o->instance);
  ctl->add_option("--socket", o->socket, "The control socket (default: the instance's, next to its pid file)");
  ctl->add_option("-a,--authenticator", o->authenticator, "Which authenticator (k1, k2, ...; needed when there are several)");
  ctl->add_flag("--json", o->json_output, "Print the method's JSON result");
  ctl->add_option("--timeout", o->timeout_s, "Seconds to wait for an answer")->capture_default_str();

  // Subcommands that take no arguments.
  for (auto [name, method, help] : {std::tuple{"status", "status", "The daemon: pid, uptime, authenticators"},
                                    std::tuple{"list", "listAuthenticators", "Every authenticator and its transports"},
                                    std::tuple{"info", "getInfo", "One authenticator in detail"},
                                    std::tuple{"credentials", "getCredentials", "The credentials one authenticator holds"},
                                    std::tuple{"delete-all", "removeAllCredentials", "Remove every credential of one authenticator"},
                                    std::tuple{"power-cycle", "powerCycle", "Unplug and plug in again"}}) {
    CLI::App* sub = ctl->add_subcommand(name, help);
    sub->callback([o, exit_code, m = std::string(method)] { *exit_code = run(*o, m, json::object()); });
  }

  CLI::App* add = ctl->add_subcommand("add", "Add an authenticator (addVirtualAuthenticator)");
  add->add_option("--profile", o->profile, "Its model: a profile id or JSON file");
  add->add_option("--aaguid", o->aaguid, "Claim this AAGUID instead of the profile's");
  add->add_option("--presence", o->presence, "approve, deny, prompt or api");
  add->add_option("--uv", o->uv, "approve, deny, prompt or api");
  add->add_option("--unix", o->unix_path, "Serve it on this Unix socket too (instead of a uhid device with --no-uhid)");
  add->add_flag("--no-uhid", o->no_uhid, "No uhid device");
  add->callback([o, exit_code] {
    json p = json::object();
    if (!o->profile.empty()) p["profile"] = o->profile;
    if (!o->aaguid.empty()) p["aaguid"] = o->aaguid;
    if (!o->presence.empty()) p["presence"] = o->presence;
    if (!o->uv.empty()) p["userVerification"] = o->uv;
    if (!o->unix_path.empty()) p["unixSocket"] = o->unix_path;
    if (o->no_uhid) p["uhid"] = false;
    *exit_code = run(*o, "addVirtualAuthenticator", p);
  });

  CLI::App* remove = ctl->add_subcommand("remove", "Remove an authenticator (removeVirtualAuthenticator)");
  remove->add_option("id", o->text, "The authenticator id")->required();
  remove->callback([o, exit_code] { *exit_code = run(*o, "removeVirtualAuthenticator", {{"authenticatorId", o->text}}); });

  CLI::App* import = ctl->add_subcommand("import", "Import a credential with its private key (addCredential)");
  import->add_option("--rp", o->rp, "Its RP ID")->required();
  import->add_option("--id", o->id, "Its credential ID, base64url")->required();
  import->add_option("--key", o->key_file, "Its private key: a PEM file or PKCS #8 DER")->required();
  import->add_flag("--resident", o->resident, "A discoverable (resident) credential");
  import->add_option("--user-handle", o->user_handle, "The user handle, base64url (resident credentials)");
  import->add_option("--user-name", o->user_name, "The user name (resident credentials)");
  import->add_option("--display-name", o->display_name, "The user's display name (resident credentials)");
  import->add_option("--sign-count", o->sign_count, "The signature counter to start from (default 0)");
  import->add_flag("--backup-eligible", o->backup_eligible, "BE=1");
  import->add_flag("--backup-state", o->backup_state, "BS=1 (needs --backup-eligible)");
  import->add_option("--large-blob", o->large_blob_file, "A file whose bytes become the credential's large blob");
  import->callback([o, exit_code] {
    auto key = key_param(o->key_file);
    if (!key) {
      *exit_code = 2;
      return;
    }
    json p = {{"credentialId", o->id}, {"rpId", o->rp}, {"privateKey", *key},
              {"isResidentCredential", o->resident}, {"signCount", o->sign_count.value_or(0)}};
    if (!o->user_handle.empty()) p["userHandle"] = o->user_handle;
    if (!o->user_name.empty()) p["userName"] = o->user_name;
    if (!o->display_name.empty()) p["userDisplayName"] = o->display_name;
    if (o->backup_eligible) p["backupEligibility"] = true;
    if (o->backup_state) p["backupState"] = true;
    if (!o->large_blob_file.empty()) {
      bool ok = false;
      const std::string blob = read_file(o->large_blob_file, ok);
      if (!ok) {
        std::cerr << "vfido ctl: cannot read " << o->large_blob_file << '\n';
        *exit_code = 2;
        return;
      }
      p["largeBlob"] = vfido::base64url_encode(as_span(blob));
    }
    *exit_code = run(*o, "addCredential", p);
  });

  CLI::App* del = ctl->add_subcommand("delete", "Remove one credential (removeCredential)");
  del->add_option("credential", o->text, "The credential ID, base64url")->required();
  del->callback([o, exit_code] { *exit_code = run(*o, "removeCredential", {{"credentialId", o->text}}); });

  CLI::App* backup = ctl->add_subcommand("backup", "Set a credential's backup state BS (setBackupState)");
  backup->add_option("credential", o->text, "The credential ID, base64url")->required();
  backup->add_option("state", o->on_off, "on or off")->required()->check(CLI::IsMember({"on", "off"}));
  backup->callback([o, exit_code] {
    *exit_code = run(*o, "setBackupState", {{"credentialId", o->text}, {"backupState", on_off(o->on_off)}});
  });

  CLI::App* uv = ctl->add_subcommand("uv", "Whether built-in user verification succeeds (setUserVerified)");
  uv->add_option("state", o->on_off, "on or off")->required()->check(CLI::IsMember({"on", "off"}));
  uv->callback([o, exit_code] { *exit_code = run(*o, "setUserVerified", {{"isUserVerified", on_off(o->on_off)}}); });

  CLI::App* presence = ctl->add_subcommand("presence", "How touches and user verification are answered (setPresenceMode)");
  presence->add_option("--presence", o->presence, "approve, deny, prompt or api");
  presence->add_option("--uv", o->uv, "approve, deny, prompt or api");
  presence->callback([o, exit_code] {
    json p = json::object();
    if (!o->presence.empty()) p["presence"] = o->presence;
    if (!o->uv.empty()) p["userVerification"] = o->uv;
    *exit_code = run(*o, "setPresenceMode", p);
  });

  CLI::App* pending = ctl->add_subcommand("pending", "Requests waiting for the user (getPending)");
  pending->add_option("--wait", o->wait_s, "Wait up to this many seconds until one is waiting");
  pending->callback([o, exit_code] { *exit_code = run(*o, "getPending", json::object()); });

  for (bool approve : {true, false}) {
    CLI::App* answer = ctl->add_subcommand(approve ? "approve" : "deny",
                                           approve ? "Approve the waiting request (answerPending)"
                                                   : "Deny the waiting request (answerPending)");
    answer->add_option("request", o->request_id, "Which request (needed when several wait)");
    answer->callback([o, exit_code, approve] {
      json p = {{"approve", approve}};
      if (o->request_id) p["requestId"] = *o->request_id;
      *exit_code = run(*o, "answerPending", p);
    });
  }

  CLI::App* call = ctl->add_subcommand("call", "Call any method with JSON params; prints the JSON result");
  call->add_option("method", o->method, "The method name")->required();
  call->add_option("params", o->text, "The params object as JSON (default {})");
  call->callback([o, exit_code] {
    json p = o->text.empty() ? json::object() : json::parse(o->text, nullptr, false);
    if (p.is_discarded() || !p.is_object()) {
      std::cerr << "vfido ctl call: params must be a JSON object\n";
      *exit_code = 2;
      return;
    }
    CtlOptions raw = *o;
    raw.json_output = true;
    *exit_code = run(raw, o->method, p);
  });
}

}  // namespace vfido::cli
