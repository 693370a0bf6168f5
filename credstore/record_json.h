// CredentialRecord as JSON, for `vfido creds export|import` and `vfido creds show`. Member names
// and which fields appear come from record_fields.h: byte strings are base64url (RFC 4648 §5,
// as WebAuthn writes credential IDs), the user entity is a nested object, absent optionals and
// empty byte strings are left out. Secrets (the private key, largeBlobKey) appear only when
// asked for.
#pragma once

#include <string>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "authenticator/credential_store.h"

namespace vfido::credstore {

nlohmann::json record_to_json(const CredentialRecord& rec, bool include_secrets);

// Strict: an unknown member, a wrong type, bad base64url or a missing required member (id, rpId,
// alg, privateKey) is an error naming the member.
tl::expected<CredentialRecord, std::string> record_from_json(const nlohmann::json& j);

}  // namespace vfido::credstore
