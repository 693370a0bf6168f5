// The CTAP 2.1 §12 extensions vfido implements, for makeCredential and getAssertion:
//   credProtect (§12.1)   level 1..3 kept with the credential; output the level
//   credBlob (§12.2)      up to maxCredBlobLength bytes kept; output true/false; returned on get
//   largeBlobKey (§12.3)  a 32-byte key for discoverable credentials, in response key 0x05/0x07
//   minPinLength (§12.4)  the current minimum PIN length, for RP IDs on the configured list
//   hmac-secret (§12.5)   see hmac_secret.h
// The output map holds a subset of the input keys.
#pragma once

#include <optional>
#include <string_view>

#include "authenticator/cbor/value.h"
#include "authenticator/commands/context.h"
#include "authenticator/extensions/inputs.h"

namespace vfido {

// Steps 15 and 17 of makeCredential: records what the extensions keep with `rec` and returns
// the authenticator-data extension outputs (nullopt when none).
Result<std::optional<cbor::Value>> apply_make_credential_extensions(Ctx& ctx, const MakeCredentialExtensions& ext,
                                                                    std::string_view rp_id, bool rk, CredentialRecord& rec);

// getAssertion step 10 checks that do not depend on the credential: hmac-secret with up=false
// is UNSUPPORTED_OPTION; decapsulate, verify saltAuth (PIN_AUTH_INVALID), decrypt the salts
// (32 or 64 bytes, else INVALID_PARAMETER). nullopt when hmac-secret was not asked for.
Result<std::optional<HmacSecretSalts>> prepare_hmac_secret(Ctx& ctx, const GetAssertionExtensions& ext, bool up);

// What getAssertion (and getNextAssertion) returns for one credential.
struct AssertionExtensionOutputs {
  std::optional<cbor::Value> auth_data;  // the authenticator-data extensions map
  std::optional<Bytes> large_blob_key;   // response key 0x07
};

Result<AssertionExtensionOutputs> assertion_extension_outputs(Ctx& ctx, const GetAssertionExtensions& ext,
                                                              const std::optional<HmacSecretSalts>& salts,
                                                              const CredentialRecord& cred, bool uv);

}  // namespace vfido
