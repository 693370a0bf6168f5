// Option helpers shared by several subcommands (see commands.h).
#include <cctype>
#include <exception>
#include <iostream>
#include <map>

#include "authenticator/env/rng.h"
#include "profiles/registry.h"
#include "tools/host/key_registry.h"
#include "tools/vfido/commands.h"

namespace vfido::cli {

void add_instance_option(CLI::App* cmd, std::string& instance) {
  cmd->add_option("--instance", instance,
                  "Which key: names its pid/lock and state files under $XDG_RUNTIME_DIR/vfido")
      ->capture_default_str();
}

std::optional<std::uint16_t> parse_hex16(const std::string& text) {
  std::string digits = text;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) digits = digits.substr(2);
  if (digits.empty() || digits.size() > 4) return std::nullopt;
  unsigned value = 0;
  for (char c : digits) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    value = value * 16 + static_cast<unsigned>(std::isdigit(static_cast<unsigned char>(c))
                                                   ? c - '0'
                                                   : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10);
  }
  return static_cast<std::uint16_t>(value);
}

void add_profile_options(CLI::App* cmd, host::ProfileChoice& o) {
  cmd->add_option("--profile", o.profile, "Authenticator model: a profile id (vfido profile list) or a JSON file")
      ->capture_default_str();
  cmd->add_option("--aaguid", o.aaguid, "Claim this AAGUID instead of the profile's (a UUID)");
  cmd->add_option("--attestation", o.attestation,
                  "Override the profile's attestation: none (attestation off), self, or packed (x5c)")
      ->check(CLI::IsMember({"none", "self", "packed"}));
}

std::optional<profiles::Profile> resolve_profile_options(const host::ProfileChoice& o, const char* who) {
  OpenSslRng rng;
  auto profile = host::load_profile(o, rng);
  if (!profile) {
    std::cerr << who << ": " << profile.error() << '\n';
    return std::nullopt;
  }
  return std::move(*profile);
}

void add_presence_options(CLI::App* cmd, PresenceOptions& o) {
  const std::map<std::string, host::PresenceMode> modes = {{"approve", host::PresenceMode::kApprove},
                                                          {"deny", host::PresenceMode::kDeny},
                                                          {"prompt", host::PresenceMode::kPrompt},
                                                          {"api", host::PresenceMode::kApi}};
  cmd->add_option("--presence", o.presence,
                  "How the simulated user answers a touch: approve, deny, prompt (ask on this terminal) or api "
                  "(wait for `vfido ctl pending`)")
      ->transform(CLI::CheckedTransformer(modes))
      ->default_str("approve");
  cmd->add_option("--uv", o.verification,
                  "How built-in user verification answers (profiles with \"uv\"): approve, deny, prompt or api")
      ->transform(CLI::CheckedTransformer(modes))
      ->default_str("approve");
}

void add_socket_transport_options(CLI::App* cmd, SocketTransportOptions& o) {
  cmd->add_flag("--udp", o.udp, "Listen for 64-byte reports as UDP datagrams (the simulator protocol)");
  cmd->add_option("--udp-host", o.udp_options.host, "Address to bind the UDP socket to")->capture_default_str();
  cmd->add_option("--udp-port", o.udp_options.port, "UDP port the key receives on (0 = any free port)")
      ->capture_default_str();
  cmd->add_option("--udp-peer-host", o.udp_options.peer_host, "Address the key sends its reports to")
      ->capture_default_str();
  cmd->add_option("--udp-peer-port", o.udp_options.peer_port, "UDP port the key sends its reports to")
      ->capture_default_str();
  cmd->add_option("--unix", o.unix_path, "Unix stream socket path (64-byte reports; libfido2 custom I/O)");
}

void print_socket_transports(const host::HostedKey& key, const SocketTransportOptions& o) {
  if (!key.udp.empty()) {
    std::cout << "vfido: listening on udp " << key.udp << ", sending to " << o.udp_options.peer_host << ':'
              << o.udp_options.peer_port << '\n';
  }
  for (const std::string& path : key.unix_paths) std::cout << "vfido: listening on unix " << path << '\n';
  std::cout << std::flush;
}

}  // namespace vfido::cli
