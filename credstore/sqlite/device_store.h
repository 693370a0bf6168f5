// The store of a device-bound authenticator (a hardware security key), in one SQLite file:
//
//  - BE=0 and BS=0 for every credential (apply_policy): a device-bound key never backs up;
//  - non-discoverable credentials are stateless (stateless_id.h): their ID wraps the private
//    key under the device's master key, bound to the RP ID hash, and the file keeps nothing for
//    them; records too large for maxCredentialIdLength are stored as rows with random IDs;
//  - discoverable credentials are rows (credential_table.h) with their own signature counter;
//    stateless credentials share one per-device counter (WebAuthn §6.1.1 allows either);
//  - reset() deletes every row and rotates the master key, so old stateless IDs stop working;
//  - it is also the device's StateStore (authenticator/device_state.h): the DeviceState blob
//    (PIN hash, retries, settings, large-blob array) is sealed whole under the data key.
//
// The master key is random, made when the store is first opened, and kept sealed under the
// data key in the file. The file is locked to one object at a time (store_file.h).
#pragma once

#include <memory>
#include <string>

#include "authenticator/device_state.h"
#include "credstore/sqlite/sqlite_store.h"

namespace vfido::credstore::sqlite {

class SqliteDeviceStore final : public SqliteStore, public StateStore {
 public:
  // Opens (or, with options.create, makes) a device store; a vault there is kWrongStoreKind.
  static tl::expected<std::unique_ptr<SqliteDeviceStore>, OpenError> open(const std::string& path, const KeySource& key,
                                                                           const OpenOptions& options);
  // Wraps an opened StoreFile of kind kDevice.
  static tl::expected<std::unique_ptr<SqliteDeviceStore>, OpenError> from_file(std::unique_ptr<StoreFile> file);

  // CTAP getInfo maxCredentialIdLength the stateless IDs must fit (the profile default).
  void set_max_credential_id_length(std::size_t n) { max_id_len_ = n; }

  // CredentialStore
  StoreResult<Bytes> create(CredentialRecord rec, Rng& rng) override;
  StoreResult<std::optional<CredentialRecord>> find(std::string_view rp_id, ByteSpan id) override;
  StoreResult<std::uint32_t> next_sign_count(const CredentialRecord& cred) override;
  StoreResult<void> reset(Rng& rng) override;
  void apply_policy(CredentialRecord& rec) const override;

  // StateStore
  StoreResult<std::optional<Bytes>> load_state() override;
  StoreResult<void> save_state(ByteSpan encoded) override;

 private:
  explicit SqliteDeviceStore(std::unique_ptr<StoreFile> file) : SqliteStore(std::move(file)) {}
  tl::expected<void, OpenError> load_master_key();
  StoreResult<void> rotate_master_key();
  const Bytes& public_key_for(const CredentialRecord& rec);

  std::size_t max_id_len_ = 128;
  crypto::SecretBytes master_key_;
  // Public keys of recently used stateless credentials, so that an assertion does not pay for
  // recomputing one (as costly as the signature): (ID, public key), most recent last.
  std::vector<std::pair<Bytes, Bytes>> public_keys_;
};

}  // namespace vfido::credstore::sqlite
