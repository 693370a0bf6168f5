#include "tools/host/link_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "transports/hybrid/tunnel_protocol.h"

namespace vfido::host {
namespace {

using nlohmann::json;

std::optional<Bytes> hex_field(const json& j, const char* name, std::size_t len = 0) {
  if (!j.contains(name) || !j[name].is_string()) return std::nullopt;
  auto b = cable::parse_hex_any_case(j[name].get<std::string>());
  if (!b || (len != 0 && b->size() != len)) return std::nullopt;
  return b;
}

template <std::size_t N>
bool to_array(const std::optional<Bytes>& b, ByteArray<N>& out) {
  if (!b || b->size() != N) return false;
  std::copy(b->begin(), b->end(), out.begin());
  return true;
}

// Reads a whole file; nullopt with *missing when it does not exist.
std::optional<std::string> read_file(const std::string& path, bool* missing, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *missing = errno == ENOENT;
    if (!*missing && error != nullptr) *error = path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Writes through a temporary file created 0600 and renamed over the target.
bool write_private(const std::string& path, const std::string& text, std::string* error) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (error != nullptr) *error = tmp + ": " + std::strerror(errno);
    return false;
  }
  const char* p = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (error != nullptr) *error = tmp + ": " + std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      return false;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  ::fchmod(fd, 0600);
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    if (error != nullptr) *error = path + ": " + std::strerror(errno);
    ::unlink(tmp.c_str());
    return false;
  }
  return true;
}

}  // namespace

std::optional<std::vector<cable::LinkedDevice>> load_links(const std::string& path, std::string* error) {
  bool missing = false;
  auto text = read_file(path, &missing, error);
  if (!text) {
    if (missing) return std::vector<cable::LinkedDevice>{};
    return std::nullopt;
  }
  json j = json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("links") || !j["links"].is_array()) {
    if (error != nullptr) *error = path + ": not a vfido link file";
    return std::nullopt;
  }
  std::vector<cable::LinkedDevice> out;
  for (const auto& e : j["links"]) {
    cable::LinkedDevice d;
    auto contact = hex_field(e, "contact_id");
    auto secret = hex_field(e, "link_secret", cable::kLinkSecretLen);
    const bool ok = e.is_object() && contact && !contact->empty() && secret &&
                    to_array(hex_field(e, "link_id"), d.info.link_id) &&
                    to_array(hex_field(e, "identity_public"), d.info.identity_public) &&
                    to_array(hex_field(e, "signature"), d.info.signature) && e.contains("name") &&
                    e["name"].is_string() && e.contains("domain") && e["domain"].is_number_unsigned() &&
                    e["domain"].get<unsigned>() <= 0xffff;
    if (!ok) {
      if (error != nullptr) *error = path + ": a malformed link entry";
      return std::nullopt;
    }
    d.info.contact_id = std::move(*contact);
    d.info.link_secret = crypto::SecretBytes(ByteSpan(*secret));
    d.info.name = e["name"].get<std::string>();
    d.domain = static_cast<std::uint16_t>(e["domain"].get<unsigned>());
    out.push_back(std::move(d));
  }
  return out;
}

bool save_links(const std::string& path, const std::vector<cable::LinkedDevice>& links, std::string* error) {
  json list = json::array();
  for (const auto& d : links) {
    list.push_back({{"name", d.info.name},
                    {"contact_id", to_hex(d.info.contact_id)},
                    {"link_id", to_hex(d.info.link_id)},
                    {"link_secret", to_hex(d.info.link_secret.expose())},
                    {"identity_public", to_hex(d.info.identity_public)},
                    {"signature", to_hex(d.info.signature)},
                    {"domain", d.domain}});
  }
  return write_private(path, json{{"links", list}}.dump(2) + "\n", error);
}

void upsert_link(std::vector<cable::LinkedDevice>& links, cable::LinkedDevice device) {
  for (auto& d : links) {
    if (d.info.identity_public == device.info.identity_public) {
      d = std::move(device);
      return;
    }
  }
  links.push_back(std::move(device));
}

std::optional<cable::PhoneIdentity> load_phone_identity(const std::string& path, std::string* error) {
  bool missing = false;
  if (error != nullptr) error->clear();
  auto text = read_file(path, &missing, error);
  if (!text) return std::nullopt;
  json j = json::parse(*text, nullptr, false);
  auto root = j.is_object() ? hex_field(j, "root_secret", cable::kRootSecretLen) : std::nullopt;
  auto contact = j.is_object() ? hex_field(j, "contact_id") : std::nullopt;
  if (!root || !contact || contact->empty() || contact->size() > cable::kMaxContactIdLen || !j.contains("name") ||
      !j["name"].is_string()) {
    if (error != nullptr) *error = path + ": not a vfido phone identity file";
    return std::nullopt;
  }
  cable::PhoneIdentity id;
  id.root_secret = crypto::SecretBytes(ByteSpan(*root));
  id.contact_id = std::move(*contact);
  id.name = j["name"].get<std::string>();
  return id;
}

bool save_phone_identity(const std::string& path, const cable::PhoneIdentity& identity, std::string* error) {
  json j = {{"root_secret", to_hex(identity.root_secret.expose())},
            {"contact_id", to_hex(identity.contact_id)},
            {"name", identity.name}};
  return write_private(path, j.dump(2) + "\n", error);
}

cable::PhoneIdentity new_phone_identity(Rng& rng, std::string name) {
  cable::PhoneIdentity id;
  id.root_secret = crypto::SecretBytes(cable::kRootSecretLen);
  rng.fill(id.root_secret.expose_mut());
  id.contact_id = rng.bytes(16);
  id.name = std::move(name);
  return id;
}

}  // namespace vfido::host
