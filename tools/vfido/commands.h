// The `vfido` subcommands. main.cpp only builds the CLI11 app and dispatches; each subcommand
// lives in its own file and registers itself here (style.md §20: thin main, one file per action).
#pragma once

#include <CLI/CLI.hpp>

#include "tools/host/profile_choice.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "profiles/profile_json.h"
#include "tools/host/presence_broker.h"
#include "transports/udp/udp_transport.h"

namespace vfido::host {
struct HostedKey;
}

namespace vfido::cli {

// Each add_* registers one subcommand on `app`; when it runs, its exit status lands in
// *exit_code (0 = success).
void add_serve(CLI::App& app, int* exit_code);  // serve.cpp
void add_demo(CLI::App& app, int* exit_code);   // demo.cpp
void add_profile(CLI::App& app, int* exit_code);  // profile.cpp
void add_metadata(CLI::App& app, int* exit_code);  // metadata.cpp
void add_up(CLI::App& app, int* exit_code);     // up.cpp: the uhid daemon
void add_down(CLI::App& app, int* exit_code);   // down.cpp
void add_status(CLI::App& app, int* exit_code); // status.cpp
void add_probe(CLI::App& app, int* exit_code);  // probe.cpp: CTAPHID conformance checks
void add_ctl(CLI::App& app, int* exit_code);    // ctl.cpp: the control API client
void add_creds(CLI::App& app, int* exit_code);  // creds.cpp
void add_vault(CLI::App& app, int* exit_code);  // vault.cpp
// `creds export` and `creds import` on the `creds` subcommand (creds_export.cpp).
void add_creds_transfer(CLI::App* creds, int* exit_code);
void add_webauthn(CLI::App& app, int* exit_code);  // webauthn.cpp: client emulator + relying party
void add_tunnel_server(CLI::App& app, int* exit_code);  // tunnel_server.cpp: caBLE v2 relay
void add_hybrid(CLI::App& app, int* exit_code);  // hybrid.cpp: hybrid authenticator | client
void add_scenario(CLI::App& app, int* exit_code);  // scenario.cpp: `vfido scenario run`
// demo_scenarios.cpp: the shipped scenarios as one table (what `vfido demo` runs by default).
int run_scenario_demo(bool verbose, const std::string& junit);

// Shared option helpers (options.cpp).
// --instance NAME: which daemon (pid/lock and state files), "default" unless given.
void add_instance_option(CLI::App* cmd, std::string& instance);
// "1209", "0x1209", "ABCD": 1 to 4 hex digits, optional 0x prefix.
std::optional<std::uint16_t> parse_hex16(const std::string& text);
// "127.0.0.1:8080", "[::1]:0", "localhost:443": a host and a port 0-65535.
std::optional<std::pair<std::string, std::uint16_t>> parse_host_port(const std::string& text);

// --profile ID|FILE, --aaguid UUID, --attestation none|self|packed (`serve`, `up`, `metadata`):
// which authenticator model a key is (host/profile_choice.h).
void add_profile_options(CLI::App* cmd, host::ProfileChoice& o);
// The model the options name, with its attestation material; prints "<who>: ..." on stderr and
// returns nullopt when the profile, the AAGUID or the attestation files are not valid.
std::optional<profiles::Profile> resolve_profile_options(const host::ProfileChoice& o, const char* who);

// --presence and --uv (`serve`, `up`): how the simulated user answers a touch and built-in user
// verification: approve, deny, prompt (ask on the terminal) or api (answered through the control
// API).
struct PresenceOptions {
  host::PresenceMode presence = host::PresenceMode::kApprove;
  host::PresenceMode verification = host::PresenceMode::kApprove;
  bool prompts() const { return presence == host::PresenceMode::kPrompt || verification == host::PresenceMode::kPrompt; }
  bool uses_api() const { return presence == host::PresenceMode::kApi || verification == host::PresenceMode::kApi; }
};
void add_presence_options(CLI::App* cmd, PresenceOptions& o);

// The socket transports of `serve` and `up`: --udp (with --udp-host/-port/-peer-host/-peer-port)
// and --unix PATH.
struct SocketTransportOptions {
  bool udp = false;
  transport::udp::Options udp_options;
  std::string unix_path;
  bool any() const { return udp || !unix_path.empty(); }
};
void add_socket_transport_options(CLI::App* cmd, SocketTransportOptions& o);
// One "vfido: listening on ..." line on stdout per socket transport the key has (what test
// harnesses wait for).
void print_socket_transports(const host::HostedKey& key, const SocketTransportOptions& o);

}  // namespace vfido::cli
