#include "credstore/memory_store.h"

#include <algorithm>
#include <limits>

#include "authenticator/env/rng.h"

namespace vfido::credstore {
namespace {

// std::map<Bytes, ...> looked up by a span without building a Bytes.
struct SpanKey {
  ByteSpan s;
};
bool operator<(const Bytes& a, const SpanKey& b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.s.begin(), b.s.end());
}
bool operator<(const SpanKey& a, const Bytes& b) {
  return std::lexicographical_compare(a.s.begin(), a.s.end(), b.begin(), b.end());
}

std::vector<CredentialRecord> newest_first(std::vector<CredentialRecord> v) {
  std::sort(v.begin(), v.end(),
            [](const CredentialRecord& a, const CredentialRecord& b) { return a.created_seq > b.created_seq; });
  return v;
}

}  // namespace

MemoryStore::MemoryStore(std::size_t discoverable_capacity) : capacity_(discoverable_capacity) {}

std::size_t MemoryStore::discoverable_count() const {
  return static_cast<std::size_t>(
      std::count_if(creds_.begin(), creds_.end(), [](const auto& kv) { return kv.second.discoverable; }));
}

StoreResult<void> MemoryStore::make_room(const CredentialRecord& rec) {
  if (!rec.discoverable) return {};
  // CTAP 2.1 §6.1.2 step 17: a discoverable credential with the same (rp.id, user.id)
  // replaces the old one; it does not need a new slot.
  auto same = std::find_if(creds_.begin(), creds_.end(), [&](const auto& kv) {
    const CredentialRecord& c = kv.second;
    return c.discoverable && c.rp_id == rec.rp_id && c.user.id == rec.user.id;
  });
  if (same == creds_.end() && discoverable_count() >= capacity_) {
    return tl::make_unexpected(StoreError::kFull);
  }
  if (same != creds_.end()) creds_.erase(same);
  return {};
}

StoreResult<Bytes> MemoryStore::create(CredentialRecord rec, Rng& rng) {
  if (!rec.discoverable) rec.user = UserEntity{};  // CTAP 2.1 §6.1.2 step 18: no user kept
  if (auto room = make_room(rec); !room) return tl::make_unexpected(room.error());
  Bytes id;
  do {
    id = rng.bytes(kIdLen);
  } while (creds_.count(id) != 0);
  rec.id = id;
  rec.created_seq = next_seq_++;
  rec.sign_count = 0;
  creds_.emplace(id, std::move(rec));
  return id;
}

StoreResult<std::optional<CredentialRecord>> MemoryStore::find(std::string_view rp_id, ByteSpan id) {
  auto it = creds_.find(SpanKey{id});
  // Only credentials bound to this RP ID count (CTAP 2.1 §6.2.2 step 7.1, §6.1.2 step 12).
  if (it == creds_.end() || it->second.rp_id != rp_id) return std::optional<CredentialRecord>();
  return std::optional<CredentialRecord>(it->second.clone());
}

StoreResult<std::vector<CredentialRecord>> MemoryStore::find_discoverable(std::string_view rp_id) {
  std::vector<CredentialRecord> out;
  for (const auto& [id, c] : creds_) {
    if (c.discoverable && c.rp_id == rp_id) out.push_back(c.clone());
  }
  return newest_first(std::move(out));
}

StoreResult<std::uint32_t> MemoryStore::next_sign_count(const CredentialRecord& cred) {
  auto it = creds_.find(SpanKey{cred.id});
  if (it == creds_.end()) return tl::make_unexpected(StoreError::kNotFound);
  std::uint32_t& count = it->second.sign_count;
  // WebAuthn §6.1.1: the counter increases and never goes back; it stays at its maximum.
  if (count < std::numeric_limits<std::uint32_t>::max()) ++count;
  return count;
}

StoreResult<void> MemoryStore::remove(ByteSpan id) {
  auto it = creds_.find(SpanKey{id});
  if (it == creds_.end()) return tl::make_unexpected(StoreError::kNotFound);
  creds_.erase(it);
  return {};
}

StoreResult<void> MemoryStore::update_user(ByteSpan id, const UserEntity& user) {
  auto it = creds_.find(SpanKey{id});
  if (it == creds_.end() || !it->second.discoverable) return tl::make_unexpected(StoreError::kNotFound);
  it->second.user = user;
  return {};
}

StoreResult<void> MemoryStore::set_backup_state(ByteSpan id, bool backed_up) {
  auto it = creds_.find(SpanKey{id});
  // WebAuthn §6.1: BS=1 requires BE=1; a device-bound credential is never backed up.
  if (it == creds_.end() || (backed_up && !it->second.backup_eligible)) {
    return tl::make_unexpected(StoreError::kNotFound);
  }
  it->second.backup_state = backed_up;
  return {};
}

StoreResult<std::vector<CredentialRecord>> MemoryStore::list_stored() {
  std::vector<CredentialRecord> out;
  for (const auto& [id, c] : creds_) out.push_back(c.clone());
  return newest_first(std::move(out));
}

StoreResult<void> MemoryStore::import(CredentialRecord rec) {
  if (rec.id.empty()) return tl::make_unexpected(StoreError::kCorrupt);
  // The old credential with this ID goes first: replacing it must not need a new slot. When the
  // new one does not fit, the old one is put back.
  std::optional<CredentialRecord> old;
  if (auto it = creds_.find(rec.id); it != creds_.end()) {
    old = std::move(it->second);
    creds_.erase(it);
  }
  if (auto room = make_room(rec); !room) {
    if (old) creds_.emplace(old->id, std::move(*old));
    return tl::make_unexpected(room.error());
  }
  if (!rec.discoverable) rec.user = UserEntity{};  // CTAP 2.1 §6.1.2 step 18: no user kept
  rec.created_seq = next_seq_++;
  Bytes id = rec.id;
  creds_.emplace(std::move(id), std::move(rec));
  return {};
}

StoreResult<std::vector<CredentialRecord>> MemoryStore::list_discoverable() {
  std::vector<CredentialRecord> out;
  for (const auto& [id, c] : creds_) {
    if (c.discoverable) out.push_back(c.clone());
  }
  return newest_first(std::move(out));
}

StoreResult<std::size_t> MemoryStore::remaining_discoverable() {
  const std::size_t used = discoverable_count();
  return used >= capacity_ ? 0 : capacity_ - used;
}

StoreResult<void> MemoryStore::reset(Rng&) {
  // Every credential is gone; IDs are random, so old ones cannot come back. created_seq keeps
  // increasing across resets.
  creds_.clear();
  return {};
}

}  // namespace vfido::credstore
