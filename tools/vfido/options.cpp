// Option helpers shared by several subcommands (see commands.h).
#include <cctype>
#include <exception>
#include <iostream>

#include "tools/host/virtual_key.h"
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

bool attach_socket_transports(host::VirtualKey& key, const SocketTransportOptions& o, const char* who,
                              std::vector<std::pair<std::string, std::string>>* described) {
  const auto& u = o.udp_options;
  if (o.udp) {
    try {
      std::uint16_t port = key.add_udp(u);
      if (described) described->emplace_back("udp", u.host + ":" + std::to_string(port));
      std::cout << "vfido: listening on udp " << u.host << ':' << port << ", sending to " << u.peer_host << ':'
                << u.peer_port << '\n';
    } catch (const std::exception& e) {
      std::cerr << who << ": cannot open udp " << u.host << ':' << u.port << ": " << e.what() << '\n';
      return false;
    }
  }
  if (!o.unix_path.empty()) {
    try {
      key.add_unix(o.unix_path);
      if (described) described->emplace_back("unix", o.unix_path);
      std::cout << "vfido: listening on unix " << o.unix_path << '\n';
    } catch (const std::exception& e) {
      std::cerr << who << ": cannot listen on unix " << o.unix_path << ": " << e.what() << '\n';
      return false;
    }
  }
  std::cout << std::flush;
  return true;
}

}  // namespace vfido::cli
