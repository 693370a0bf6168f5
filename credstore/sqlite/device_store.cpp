#include "credstore/sqlite/device_store.h"

#include <algorithm>

#include "authenticator/crypto/keys.h"
#include "credstore/sqlite/stateless_id.h"

namespace vfido::credstore::sqlite {
namespace {

constexpr std::string_view kMasterKeyLabel = "vfido master key v1";
constexpr std::string_view kStateLabel = "vfido device state v1";
constexpr std::size_t kPublicKeyCacheSize = 64;
constexpr std::int64_t kCounterMax = 0xFFFFFFFF;

}  // namespace

tl::expected<std::unique_ptr<SqliteDeviceStore>, OpenError> SqliteDeviceStore::open(const std::string& path, const KeySource& key,
                                                                   const OpenOptions& options) {
  return open_as<SqliteDeviceStore>(StoreKind::kDevice, path, key, options);
}

tl::expected<std::unique_ptr<SqliteDeviceStore>, OpenError> SqliteDeviceStore::from_file(
    std::unique_ptr<StoreFile> file) {
  if (file->kind() != StoreKind::kDevice) {
    return tl::unexpected(OpenError{OpenErrorCode::kWrongStoreKind,
                                    file->path() + ": a synced vault, not a device store"});
  }
  std::unique_ptr<SqliteDeviceStore> store(new SqliteDeviceStore(std::move(file)));
  if (auto m = store->load_master_key(); !m) return tl::unexpected(m.error());
  return store;
}

// The master key, made on first use.
tl::expected<void, OpenError> SqliteDeviceStore::load_master_key() {
  auto sealed = file_->meta_blob("master_key");
  if (!sealed) return tl::unexpected(OpenError{OpenErrorCode::kIo, path() + ": " + sealed.error().message});
  if (!*sealed) {
    auto tx = Transaction::begin(file_->db());
    if (!tx) return tl::unexpected(OpenError{OpenErrorCode::kIo, path() + ": " + tx.error().message});
    if (auto r = rotate_master_key(); !r) return tl::unexpected(OpenError{OpenErrorCode::kIo, last_error()});
    if (auto r = tx->commit(); !r) return tl::unexpected(OpenError{OpenErrorCode::kIo, path() + ": " + r.error().message});
    return {};
  }
  auto key = file_->unseal(kMasterKeyLabel, {}, **sealed);
  if (!key || key->size() != 32) {
    return tl::unexpected(OpenError{OpenErrorCode::kDamaged, path() + ": damaged: the master key does not open"});
  }
  master_key_ = std::move(*key);
  return {};
}

// A fresh master key (inside the caller's transaction): every stateless ID made so far stops
// working (CTAP 2.1 §6.6 authenticatorReset).
StoreResult<void> SqliteDeviceStore::rotate_master_key() {
  crypto::SecretBytes key(32);
  file_->rng().fill(key.expose_mut());
  const Bytes sealed = file_->seal(kMasterKeyLabel, {}, key.expose());
  if (auto r = file_->set_meta("master_key", sealed); !r) return table_.report(r.error().store_error(), r.error().message);
  master_key_ = std::move(key);
  public_keys_.clear();
  return {};
}

void SqliteDeviceStore::apply_policy(CredentialRecord& rec) const {
  // WebAuthn §6.1.3: a device-bound credential is not backup eligible and never backed up.
  rec.backup_eligible = false;
  rec.backup_state = false;
}

StoreResult<Bytes> SqliteDeviceStore::create(CredentialRecord rec, Rng& rng) {
  apply_policy(rec);
  rec.sign_count = 0;
  if (!rec.discoverable) {
    rec.user = UserEntity{};
    if (auto id = wrap_stateless_id(master_key_.expose(), rec, file_->rng(), max_id_len_)) return *id;
    // Too large to wrap within maxCredentialIdLength: keep it as a row.
  }
  return store_row(std::move(rec), rng);
}

const Bytes& SqliteDeviceStore::public_key_for(const CredentialRecord& rec) {
  auto hit = std::find_if(public_keys_.begin(), public_keys_.end(), [&](const auto& e) { return e.first == rec.id; });
  if (hit != public_keys_.end()) {
    std::rotate(hit, hit + 1, public_keys_.end());  // most recent last
    return public_keys_.back().second;
  }
  Bytes pub;
  if (auto key = crypto::PrivateKey::from_bytes(rec.alg, rec.private_key.expose(), {})) pub = key->public_bytes();
  if (public_keys_.size() >= kPublicKeyCacheSize) public_keys_.erase(public_keys_.begin());
  public_keys_.emplace_back(rec.id, std::move(pub));
  return public_keys_.back().second;
}

StoreResult<std::optional<CredentialRecord>> SqliteDeviceStore::find(std::string_view rp_id, ByteSpan id) {
  using R = std::optional<CredentialRecord>;
  // An ID of another device, another RP, or altered in one bit fails GCM and is unknown.
  if (looks_stateless(id)) {
    if (auto rec = unwrap_stateless_id(master_key_.expose(), rp_id, id)) {
      rec->public_key = public_key_for(*rec);
      return R(std::move(*rec));
    }
  }
  return find_row(rp_id, id);
}

StoreResult<std::uint32_t> SqliteDeviceStore::next_sign_count(const CredentialRecord& cred) {
  auto tx = begin();
  if (!tx) return tl::make_unexpected(tx.error());
  std::uint32_t value = 0;
  auto counted = table_.increment_count(cred.id, value);
  if (!counted) return tl::make_unexpected(counted.error());
  if (*counted) {
    // a stored credential's own counter
  } else if (unwrap_stateless_id(master_key_.expose(), cred.rp_id, cred.id)) {
    // One counter for all stateless credentials of this device (WebAuthn §6.1.1).
    auto st = file_->db().prepare(
        "INSERT INTO meta (key, value) VALUES ('stateless_counter', 1) ON CONFLICT (key) DO UPDATE SET value = "
        "min(value + 1, " + std::to_string(kCounterMax) + ") RETURNING value");
    if (!st) return table_.report(st.error().store_error(), st.error().message);
    auto row = st->step();
    if (!row) return table_.report(row.error().store_error(), row.error().message);
    if (!*row) return table_.report(StoreError::kIo, "counter update returned nothing");
    value = static_cast<std::uint32_t>(st->column_int(0));
    if (auto done = st->run(); !done) return table_.report(done.error().store_error(), done.error().message);
  } else {
    return table_.report(StoreError::kNotFound, "no credential " + to_hex(cred.id));
  }
  if (auto c = commit(*tx); !c) return tl::make_unexpected(c.error());
  return value;
}

StoreResult<void> SqliteDeviceStore::reset(Rng&) {
  auto tx = begin();
  if (!tx) return tl::make_unexpected(tx.error());
  if (auto r = table_.clear(); !r) return r;
  if (auto r = rotate_master_key(); !r) return r;
  return commit(*tx);
}

StoreResult<std::optional<Bytes>> SqliteDeviceStore::load_state() {
  using R = std::optional<Bytes>;
  auto st = file_->db().prepare("SELECT sealed FROM device_state WHERE id = 1");
  if (!st) return table_.report(st.error().store_error(), st.error().message);
  auto row = st->step();
  if (!row) return table_.report(row.error().store_error(), row.error().message);
  if (!*row) return R();
  auto plain = file_->unseal(kStateLabel, {}, st->column_blob(0));
  if (!plain) return table_.report(StoreError::kCorrupt, "the sealed device state does not open (edited?)");
  return R(Bytes(plain->expose().begin(), plain->expose().end()));
}

StoreResult<void> SqliteDeviceStore::save_state(ByteSpan encoded) {
  const Bytes sealed = file_->seal(kStateLabel, {}, encoded);
  auto st = file_->db().prepare(
      "INSERT INTO device_state (id, sealed) VALUES (1, ?1) ON CONFLICT (id) DO UPDATE SET sealed = ?1");
  if (!st) return table_.report(st.error().store_error(), st.error().message);
  // One statement: SQLite makes it atomic and durable on its own.
  if (auto r = st->bind(1, sealed).run(); !r) return table_.report(r.error().store_error(), r.error().message);
  return {};
}

}  // namespace vfido::credstore::sqlite
