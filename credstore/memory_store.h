// An in-memory CredentialStore (authenticator/credential_store.h): everything is lost when the
// process ends. Used by tests, by `vfido` without a database, and as the reference behaviour
// for the persistent stores. Credential IDs are 32 random bytes from the Rng; each credential
// has its own signature counter (WebAuthn §6.1.1 recommends per-credential counters).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>

#include "authenticator/credential_store.h"

namespace vfido::credstore {

class MemoryStore final : public CredentialStore {
 public:
  static constexpr std::size_t kDefaultCapacity = 100;
  static constexpr std::size_t kIdLen = 32;

  // `discoverable_capacity`: how many discoverable credentials fit (non-discoverable ones are
  // not limited).
  explicit MemoryStore(std::size_t discoverable_capacity = kDefaultCapacity);

  StoreResult<Bytes> create(CredentialRecord rec, Rng& rng) override;
  StoreResult<std::optional<CredentialRecord>> find(std::string_view rp_id, ByteSpan id) override;
  StoreResult<std::vector<CredentialRecord>> find_discoverable(std::string_view rp_id) override;
  StoreResult<std::uint32_t> next_sign_count(const CredentialRecord& cred) override;
  StoreResult<void> remove(ByteSpan id) override;
  StoreResult<void> update_user(ByteSpan id, const UserEntity& user) override;
  StoreResult<void> set_backup_state(ByteSpan id, bool backed_up) override;
  StoreResult<std::vector<CredentialRecord>> list_discoverable() override;
  StoreResult<std::size_t> remaining_discoverable() override;
  StoreResult<void> reset(Rng& rng) override;
  StoreResult<std::vector<CredentialRecord>> list_stored() override;
  StoreResult<void> import(CredentialRecord rec) override;

  // Every credential, discoverable or not (for tests and tools).
  std::size_t size() const { return creds_.size(); }

 private:
  std::size_t discoverable_count() const;
  // CTAP 2.1 §6.1.2 step 17 for a discoverable `rec`: drops the credential it replaces, or kFull.
  StoreResult<void> make_room(const CredentialRecord& rec);

  std::size_t capacity_;
  std::map<Bytes, CredentialRecord, std::less<>> creds_;  // by credential ID
  std::uint64_t next_seq_ = 1;
};

}  // namespace vfido::credstore
