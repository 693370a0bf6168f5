// The WebAuthn structures carried inside CTAP requests and responses (CTAP 2.1 §6.1, §6.2;
// WebAuthn L3 §5.4.2, §5.4.3, §5.8.3) and the options map shared by makeCredential and
// getAssertion. Parsers return the CTAP status for each defect (style.md §6).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "authenticator/bytes.h"
#include "authenticator/cbor/value.h"
#include "authenticator/credential_store.h"

namespace vfido {

inline constexpr std::string_view kPublicKeyType = "public-key";  // WebAuthn §5.8.2

// WebAuthn §5.4.2 PublicKeyCredentialRpEntity: {"id": tstr, "name"?: tstr, "icon"?: tstr}.
struct RpEntity {
  std::string id;
  std::optional<std::string> name;
  static Result<RpEntity> parse(const cbor::Value& v);
  bool operator==(const RpEntity&) const = default;
};

// WebAuthn §5.4.3 PublicKeyCredentialUserEntity: {"id": bstr(1..64), "name"?, "displayName"?,
// "icon"?}.
Result<UserEntity> parse_user_entity(const cbor::Value& v);
// {"id"} plus whichever of name/displayName/icon are set (CTAP 2.1 §6.2.2 step 12: the caller
// leaves them unset unless user verification was done).
cbor::Value encode_user_entity(const UserEntity& user);

// WebAuthn §5.8.3 PublicKeyCredentialDescriptor: {"id": bstr, "type": tstr, "transports"?: [tstr]}.
struct CredentialDescriptor {
  Bytes id;
  std::string type;
  std::vector<std::string> transports;
  bool is_public_key() const { return type == kPublicKeyType; }
  static Result<CredentialDescriptor> parse(const cbor::Value& v);
  cbor::Value encode() const;  // {"id", "type"}; transports when non-empty
  bool operator==(const CredentialDescriptor&) const = default;
};

// excludeList / allowList: an array of descriptors.
Result<std::vector<CredentialDescriptor>> parse_descriptor_list(const cbor::Array& list);

// The options map (CTAP 2.1 §6.1 key 0x07, §6.2 key 0x05): "rk", "up", "uv" as present/absent
// booleans; other keys are treated as absent (CTAP 2.1 §6.1.2 step 5, §6.2.2 step 4).
struct RequestOptions {
  std::optional<bool> rk;
  std::optional<bool> up;
  std::optional<bool> uv;
  static Result<RequestOptions> parse(const cbor::Value* map);  // nullptr: no options map
  bool operator==(const RequestOptions&) const = default;
};

}  // namespace vfido
