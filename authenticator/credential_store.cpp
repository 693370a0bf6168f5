#include "authenticator/credential_store.h"

namespace vfido {

CredentialRecord CredentialRecord::clone() const {
  CredentialRecord c;
  c.id = id;
  c.rp_id = rp_id;
  c.rp_name = rp_name;
  c.user = user;
  c.alg = alg;
  c.private_key = private_key.clone();
  c.public_key = public_key;
  c.discoverable = discoverable;
  c.cred_protect = cred_protect;
  c.sign_count = sign_count;
  c.created_seq = created_seq;
  c.backup_eligible = backup_eligible;
  c.backup_state = backup_state;
  c.hmac_secret = hmac_secret;
  c.cred_blob = cred_blob;
  c.large_blob_key = large_blob_key.clone();
  return c;
}

// The one mapping from store errors to CTAP statuses (style.md §5). A full store is the only
// condition the spec names (CTAP 2.1 §6.1.2 step 17: CTAP2_ERR_KEY_STORE_FULL); anything else
// is an internal failure.
CtapStatus to_ctap_status(StoreError e) {
  switch (e) {
    case StoreError::kFull:
      return CtapStatus::kKeyStoreFull;
    case StoreError::kNotFound:
    case StoreError::kCorrupt:
    case StoreError::kIo:
    case StoreError::kUnsupported:
      return CtapStatus::kOther;
  }
  return CtapStatus::kOther;
}

std::string_view store_error_name(StoreError e) {
  switch (e) {
    case StoreError::kNotFound:
      return "not found";
    case StoreError::kFull:
      return "full";
    case StoreError::kCorrupt:
      return "corrupt";
    case StoreError::kIo:
      return "i/o error";
    case StoreError::kUnsupported:
      return "not supported by this store";
  }
  return "unknown";
}

}  // namespace vfido
