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

#include "transports/udp/udp_transport.h"

namespace vfido::host {
class VirtualKey;
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
void add_creds(CLI::App& app, int* exit_code);  // creds.cpp
void add_vault(CLI::App& app, int* exit_code);  // vault.cpp
// `creds export` and `creds import` on the `creds` subcommand (creds_export.cpp).
void add_creds_transfer(CLI::App* creds, int* exit_code);
void add_webauthn(CLI::App& app, int* exit_code);  // webauthn.cpp: client emulator + relying party
void add_scenario(CLI::App& app, int* exit_code);  // scenario.cpp: `vfido scenario run`
// demo_scenarios.cpp: the shipped scenarios as one table (what `vfido demo` runs by default).
int run_scenario_demo(bool verbose, const std::string& junit);

// Shared option helpers (options.cpp).
// --instance NAME: which daemon (pid/lock and state files), "default" unless given.
void add_instance_option(CLI::App* cmd, std::string& instance);
// "1209", "0x1209", "ABCD": 1 to 4 hex digits, optional 0x prefix.
std::optional<std::uint16_t> parse_hex16(const std::string& text);

// The socket transports of `serve` and `up`: --udp (with --udp-host/-port/-peer-host/-peer-port)
// and --unix PATH.
struct SocketTransportOptions {
  bool udp = false;
  transport::udp::Options udp_options;
  std::string unix_path;
  bool any() const { return udp || !unix_path.empty(); }
};
void add_socket_transport_options(CLI::App* cmd, SocketTransportOptions& o);
// --profile ID|FILE, --aaguid UUID, --attestation none|self|packed (host/profile_choice.h).
void add_profile_options(CLI::App* cmd, host::ProfileChoice& o);
// Attaches them to `key`, printing one "vfido: listening on ..." line each on stdout and adding
// ("udp", "host:port") / ("unix", path) to *described when given. On failure prints
// "<who>: cannot ..." on stderr and returns false.
bool attach_socket_transports(host::VirtualKey& key, const SocketTransportOptions& o, const char* who,
                              std::vector<std::pair<std::string, std::string>>* described = nullptr);

}  // namespace vfido::cli
