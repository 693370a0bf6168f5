// The one list of CredentialRecord fields (authenticator/credential_store.h) that every
// serialization of a record walks: the sealed rows of the SQLite stores and the stateless
// credential IDs (record_codec.h), and the JSON of `vfido creds export|import`
// (record_json.h). Adding a field to CredentialRecord means adding one line here, with a new
// key: keys are never reused (OpenSK storage/key.rs), so old files keep decoding, and a field a
// reader does not know is an error rather than data silently dropped when it re-seals a record.
#pragma once

#include <string_view>

#include "authenticator/credential_store.h"

namespace vfido::credstore {

// Where a field is kept (a bit set).
enum FieldPlace : unsigned {
  kInRow = 1u << 0,        // in the sealed record of a stored row
  kInStateless = 1u << 1,  // inside a stateless (device-bound, non-discoverable) credential ID
  kExported = 1u << 2,     // written by `vfido creds export`
  kImported = 1u << 3,     // read by `vfido creds import`
  kRequired = 1u << 4,     // decoding fails when it is absent
  kSecret = 1u << 5,       // key material: exported only on explicit request
};

struct Field {
  std::uint8_t key;       // key in the binary encodings (record_codec); 0 = not encoded there
  std::string_view name;  // JSON member name
  unsigned places;
};

inline constexpr unsigned kJson = kExported | kImported;

// Calls v(Field, member) for every field of `r` (CredentialRecord or const CredentialRecord).
template <typename Record, typename Visitor>
void visit_record_fields(Record& r, Visitor&& v) {
  v(Field{1, "rpId", kInRow | kJson | kRequired}, r.rp_id);
  v(Field{2, "rpName", kInRow | kJson}, r.rp_name);
  v(Field{3, "user", kInRow | kJson}, r.user);
  v(Field{4, "alg", kInRow | kInStateless | kJson | kRequired}, r.alg);
  v(Field{5, "privateKey", kInRow | kInStateless | kJson | kRequired | kSecret}, r.private_key);
  v(Field{6, "publicKey", kInRow | kJson}, r.public_key);
  v(Field{7, "discoverable", kInRow | kJson}, r.discoverable);
  v(Field{8, "credProtect", kInRow | kInStateless | kJson}, r.cred_protect);
  v(Field{9, "backupEligible", kInRow | kJson}, r.backup_eligible);
  v(Field{10, "backupState", kInRow | kJson}, r.backup_state);
  v(Field{11, "hmacSecret", kInRow | kInStateless | kJson}, r.hmac_secret);
  v(Field{12, "credBlob", kInRow | kInStateless | kJson}, r.cred_blob);
  v(Field{13, "largeBlobKey", kInRow | kInStateless | kJson | kSecret}, r.large_blob_key);
  // Kept by the store itself (row columns, or derived), not inside sealed records.
  v(Field{0, "id", kJson | kRequired}, r.id);
  v(Field{0, "signCount", kJson}, r.sign_count);
  v(Field{0, "createdSeq", kExported}, r.created_seq);
}

// The same for the user entity nested in a record.
template <typename User, typename Visitor>
void visit_user_fields(User& u, Visitor&& v) {
  v(Field{1, "id", kInRow | kJson | kRequired}, u.id);
  v(Field{2, "name", kInRow | kJson}, u.name);
  v(Field{3, "displayName", kInRow | kJson}, u.display_name);
  v(Field{4, "icon", kInRow | kJson}, u.icon);
}

}  // namespace vfido::credstore
