// The schema of vfido's SQLite store files, versioned, in one place (style.md §12). A store file
// is marked as ours by the SQLite header's application_id (kApplicationId, "VFID") and holds:
//
//   schema_version  one row: the schema version the file is at.
//   meta            key/value settings: the store kind ("device" or "vault"), the key
//                   derivation (kdf, salt, scrypt parameters), the wrapped data key, and for
//                   device stores the wrapped master key and the stateless signature counter;
//                   for vaults the provider's AAGUID and name. See store_file.h.
//   credentials     one row per stored credential: its ID, keyed hashes of its RP ID and of
//                   (RP ID, user ID) for lookups, the discoverable flag, the signature counter,
//                   and the sealed record (record_codec.h under AES-256-GCM). `seq` is the
//                   creation order (AUTOINCREMENT never reuses a value, even after deletes).
//   device_state    one row: the sealed DeviceState blob (authenticator/device_state.h).
//
// Migrations only add: kMigrations[i] takes a file from version i to i + 1; a released entry is
// never edited, and a new version appends an entry. A file whose version is above
// kSchemaVersion was written by a newer vfido and is refused (store_file.cpp).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace vfido::credstore::sqlite {

// PRAGMA application_id: "VFID" in ASCII.
inline constexpr std::int32_t kApplicationId = 0x56464944;

inline constexpr std::string_view kMigrations[] = {
    // 0 -> 1: the first schema.
    R"sql(
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version (version) VALUES (0);
CREATE TABLE meta (
  key   TEXT PRIMARY KEY NOT NULL,
  value ANY NOT NULL
) STRICT;
CREATE TABLE credentials (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  id           BLOB NOT NULL UNIQUE,
  rp_key       BLOB NOT NULL,
  user_key     BLOB,
  discoverable INTEGER NOT NULL,
  sign_count   INTEGER NOT NULL DEFAULT 0,
  sealed       BLOB NOT NULL
) STRICT;
CREATE INDEX credentials_by_rp ON credentials (rp_key, discoverable);
CREATE UNIQUE INDEX credentials_by_user ON credentials (user_key) WHERE user_key IS NOT NULL;
CREATE TABLE device_state (
  id     INTEGER PRIMARY KEY CHECK (id = 1),
  sealed BLOB NOT NULL
) STRICT;
)sql",
};

inline constexpr std::int64_t kSchemaVersion = static_cast<std::int64_t>(std::size(kMigrations));

}  // namespace vfido::credstore::sqlite
