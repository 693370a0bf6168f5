#include "authenticator/device_state.h"

#include <algorithm>
#include <limits>
#include <tuple>

#include "authenticator/cbor/codec.h"
#include "authenticator/cbor/map_reader.h"
#include "authenticator/crypto/hash.h"

namespace vfido {
namespace {

constexpr std::uint64_t kVersion = 1;

// Map keys of the encoding. Keys are never reused; new fields get new keys (style.md: storage
// keys are never reused).
enum Key : int {
  kKeyVersion = 0,
  kKeyPinHash = 1,
  kKeyPinCodePoints = 2,
  kKeyPinRetries = 3,
  kKeyUvRetries = 4,
  kKeyMinPinLength = 5,
  kKeyMinPinLengthRpIds = 6,
  kKeyForcePinChange = 7,
  kKeyAlwaysUv = 8,
  kKeyEnterpriseAttestation = 9,
  kKeyLargeBlobArray = 10,
};

tl::unexpected<std::string> bad(std::string why) { return tl::unexpected<std::string>("device state: " + why); }

template <typename T>
tl::expected<T, std::string> small_uint(const cbor::MapReader& m, int key, const char* name) {
  auto v = m.required_uint(key);
  if (!v) return bad(std::string(name) + " is missing or not an unsigned integer");
  if (*v > std::numeric_limits<T>::max()) return bad(std::string(name) + " is out of range");
  return static_cast<T>(*v);
}

tl::expected<bool, std::string> flag(const cbor::MapReader& m, int key, const char* name) {
  auto v = m.optional_bool(key);
  if (!v || !v->has_value()) return bad(std::string(name) + " is missing or not a boolean");
  return **v;
}

}  // namespace

Bytes initial_large_blob_array() {
  Bytes out{0x80};  // CBOR empty array
  auto digest = crypto::sha256(out);
  out.insert(out.end(), digest.begin(), digest.begin() + 16);
  return out;
}

DeviceState DeviceState::initial(const AuthenticatorProfile& profile) {
  DeviceState s;
  s.pin_retries = profile.max_pin_retries;
  s.uv_retries = profile.max_uv_retries;
  s.min_pin_length = profile.min_pin_length;
  s.always_uv = profile.always_uv;
  s.enterprise_attestation = profile.enterprise_attestation.value_or(false);
  return s;
}

Bytes DeviceState::encode() const {
  cbor::Value m = cbor::Value::map();
  m.set(kKeyVersion, cbor::Value::uint(kVersion));
  if (pin) {
    m.set(kKeyPinHash, cbor::Value::bytes(ByteSpan(pin->hash.expose())));
    m.set(kKeyPinCodePoints, cbor::Value::uint(pin->code_points));
  }
  m.set(kKeyPinRetries, cbor::Value::uint(pin_retries));
  m.set(kKeyUvRetries, cbor::Value::uint(uv_retries));
  m.set(kKeyMinPinLength, cbor::Value::uint(min_pin_length));
  cbor::Array ids;
  for (const auto& id : min_pin_length_rp_ids) ids.push_back(cbor::Value::text(id));
  m.set(kKeyMinPinLengthRpIds, cbor::Value::array(std::move(ids)));
  m.set(kKeyForcePinChange, cbor::Value::boolean(force_pin_change));
  m.set(kKeyAlwaysUv, cbor::Value::boolean(always_uv));
  m.set(kKeyEnterpriseAttestation, cbor::Value::boolean(enterprise_attestation));
  m.set(kKeyLargeBlobArray, cbor::Value::bytes(large_blob_array));
  auto out = cbor::encode(m);
  // Every member is encodable: a failure here is a bug, and an empty result makes it visible.
  return out ? std::move(*out) : Bytes{};
}

tl::expected<DeviceState, std::string> DeviceState::decode(ByteSpan bytes) {
  auto v = cbor::decode(bytes, cbor::DecodeLimits{4, bytes.size()});
  if (!v) return bad("not canonical CBOR");
  auto m = cbor::MapReader::from(*v);
  if (!m) return bad("not a CBOR map");
  auto version = m->required_uint(kKeyVersion);
  if (!version) return bad("no version");
  if (*version != kVersion) return bad("unsupported version " + std::to_string(*version));

  DeviceState s;
  auto hash = m->optional_bytes(kKeyPinHash);
  if (!hash) return bad("PIN hash is not a byte string");
  if (*hash) {
    if ((*hash)->size() != kPinHashLen) return bad("PIN hash has the wrong length");
    auto cps = small_uint<std::uint32_t>(*m, kKeyPinCodePoints, "PIN length");
    if (!cps) return tl::unexpected(cps.error());
    StoredPin pin;
    std::copy((*hash)->begin(), (*hash)->end(), pin.hash.expose_mut().begin());
    crypto::cleanse((*hash)->data(), (*hash)->size());
    pin.code_points = *cps;
    s.pin = std::move(pin);
  }
  auto pr = small_uint<std::uint8_t>(*m, kKeyPinRetries, "PIN retries");
  if (!pr) return tl::unexpected(pr.error());
  s.pin_retries = *pr;
  auto ur = small_uint<std::uint8_t>(*m, kKeyUvRetries, "UV retries");
  if (!ur) return tl::unexpected(ur.error());
  s.uv_retries = *ur;
  auto mpl = small_uint<std::uint32_t>(*m, kKeyMinPinLength, "minimum PIN length");
  if (!mpl) return tl::unexpected(mpl.error());
  s.min_pin_length = *mpl;
  auto ids = m->required_array(kKeyMinPinLengthRpIds);
  if (!ids) return bad("minPinLength RP IDs are missing or not an array");
  for (const auto& id : **ids) {
    if (!id.is_text()) return bad("a minPinLength RP ID is not a text string");
    s.min_pin_length_rp_ids.push_back(id.as_text());
  }
  for (auto [key, name, field] : {std::tuple{kKeyForcePinChange, "forcePINChange", &s.force_pin_change},
                                  std::tuple{kKeyAlwaysUv, "alwaysUv", &s.always_uv},
                                  std::tuple{kKeyEnterpriseAttestation, "enterprise attestation", &s.enterprise_attestation}}) {
    auto f = flag(*m, key, name);
    if (!f) return tl::unexpected(f.error());
    *field = *f;
  }
  auto blob = m->required_bytes(kKeyLargeBlobArray);
  if (!blob) return bad("large-blob array is missing or not a byte string");
  s.large_blob_array = std::move(*blob);
  return s;
}

}  // namespace vfido
