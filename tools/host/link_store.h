// Files that keep hybrid linking state between runs (hybrid-protocol.md §9), as JSON, mode 0600
// (they hold secrets):
//   desktop: the phones it may reach without a QR code (verified linking information and the
//            tunnel domain of each), keyed by the phone's identity key as libwebauthn does;
//   phone:   its root secret, contact ID and display name.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "authenticator/env/rng.h"
#include "transports/hybrid/desktop_session.h"
#include "transports/hybrid/linking.h"

namespace vfido::host {

// A missing file is an empty list; a malformed one is an error (nullopt, reason in *error).
std::optional<std::vector<cable::LinkedDevice>> load_links(const std::string& path, std::string* error);
bool save_links(const std::string& path, const std::vector<cable::LinkedDevice>& links, std::string* error);
// Replaces the entry with the same identity key, or appends.
void upsert_link(std::vector<cable::LinkedDevice>& links, cable::LinkedDevice device);

// nullopt with an empty *error when the file does not exist.
std::optional<cable::PhoneIdentity> load_phone_identity(const std::string& path, std::string* error);
bool save_phone_identity(const std::string& path, const cable::PhoneIdentity& identity, std::string* error);
// A fresh root secret and a random 16-byte contact ID.
cable::PhoneIdentity new_phone_identity(Rng& rng, std::string name);

}  // namespace vfido::host
