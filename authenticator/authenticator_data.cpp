#include "authenticator/authenticator_data.h"

#include "authenticator/cbor/codec.h"

namespace vfido {
namespace {

// The credential public key is a CBOR item with nothing marking its end except its own
// structure (WebAuthn §6.5.1: "the length ... is determined by the CBOR encoding"), and the
// extensions map may follow it. This walks one item's heads (RFC 8949 §3) to find where it
// ends; cbor::decode then checks the item itself strictly.
constexpr int kMaxSkipDepth = 8;

Result<void> skip_item(ByteReader& r, int depth) {
  if (depth > kMaxSkipDepth) return fail(CtapStatus::kInvalidCbor);
  auto initial = r.u8();
  if (!initial) return fail(CtapStatus::kInvalidCbor);
  const unsigned major = *initial >> 5;
  const unsigned info = *initial & 0x1F;
  std::uint64_t arg = info;
  if (info == 24) {
    auto v = r.u8();
    if (!v) return fail(CtapStatus::kInvalidCbor);
    arg = *v;
  } else if (info == 25) {
    auto v = r.u16be();
    if (!v) return fail(CtapStatus::kInvalidCbor);
    arg = *v;
  } else if (info == 26) {
    auto v = r.u32be();
    if (!v) return fail(CtapStatus::kInvalidCbor);
    arg = *v;
  } else if (info == 27) {
    auto hi = r.u32be();
    auto lo = hi ? r.u32be() : hi;
    if (!hi || !lo) return fail(CtapStatus::kInvalidCbor);
    arg = (static_cast<std::uint64_t>(*hi) << 32) | *lo;
  } else if (info > 27) {
    return fail(CtapStatus::kInvalidCbor);  // reserved values and indefinite lengths
  }
  switch (major) {
    case 0:  // unsigned
    case 1:  // negative
    case 7:  // simple values and floats: the head is the whole item
      return {};
    case 2:  // byte string
    case 3: {  // text string
      if (arg > r.remaining()) return fail(CtapStatus::kInvalidCbor);
      (void)r.take(static_cast<std::size_t>(arg));
      return {};
    }
    case 4:    // array
    case 5: {  // map: twice as many items
      if (arg > r.remaining()) return fail(CtapStatus::kInvalidCbor);  // each item is >= 1 byte
      const std::uint64_t items = major == 5 ? arg * 2 : arg;
      for (std::uint64_t i = 0; i < items; ++i) VFIDO_TRY(skip_item(r, depth + 1));
      return {};
    }
    default:  // 6: tags have no place in authenticator data
      return fail(CtapStatus::kInvalidCbor);
  }
}

}  // namespace

std::uint8_t AuthenticatorData::wire_flags() const {
  std::uint8_t f = flags & static_cast<std::uint8_t>(~(flags::kAt | flags::kEd));
  if (attested) f |= flags::kAt;
  if (extensions) f |= flags::kEd;
  return f;
}

Result<Bytes> AuthenticatorData::serialize() const {
  ByteWriter w(kRpIdHashLen + 1 + 4 + (attested ? 16 + 2 + attested->credential_id.size() + 80 : 0));
  w.bytes(rp_id_hash).u8(wire_flags()).u32be(sign_count);
  if (attested) {
    // WebAuthn §6.5.1: credentialIdLength is 2 bytes and at most 1023.
    const auto& id = attested->credential_id;
    if (id.empty() || id.size() > kMaxCredentialIdLen) return fail(CtapStatus::kOther);
    auto key = cbor::encode(attested->public_key);
    if (!key) return fail(CtapStatus::kOther);
    w.bytes(attested->aaguid).u16be(static_cast<std::uint16_t>(id.size())).bytes(id).bytes(*key);
  }
  if (extensions) {
    // WebAuthn §6.1: the extensions are a CBOR map.
    if (!extensions->is_map()) return fail(CtapStatus::kOther);
    auto ext = cbor::encode(*extensions);
    if (!ext) return fail(CtapStatus::kOther);
    w.bytes(*ext);
  }
  return std::move(w).take();
}

Result<AuthenticatorData> AuthenticatorData::parse(ByteSpan bytes) {
  ByteReader r(bytes);
  AuthenticatorData d;
  auto hash = r.take_array<kRpIdHashLen>();
  if (!hash) return fail(hash.error());
  d.rp_id_hash = *hash;
  auto fl = r.u8();
  if (!fl) return fail(fl.error());
  d.flags = *fl;
  auto count = r.u32be();
  if (!count) return fail(count.error());
  d.sign_count = *count;

  // Decodes the CBOR item at the reader's position and advances past it.
  auto next_item = [&r]() -> Result<cbor::Value> {
    ByteSpan rest = r.rest();
    ByteReader probe(rest);
    VFIDO_TRY(skip_item(probe, 1));
    const std::size_t len = probe.position();
    auto v = cbor::decode(rest.first(len));
    if (!v) return fail(CtapStatus::kInvalidCbor);
    r = ByteReader(rest.subspan(len));
    return v;
  };

  if (d.flags & flags::kAt) {  // WebAuthn §6.5.1
    AttestedCredentialData acd;
    auto aaguid = r.take_array<kAaguidLen>();
    if (!aaguid) return fail(aaguid.error());
    acd.aaguid = *aaguid;
    auto id_len = r.u16be();
    if (!id_len) return fail(id_len.error());
    if (*id_len == 0 || *id_len > kMaxCredentialIdLen) return fail(CtapStatus::kInvalidLength);
    auto id = r.take(*id_len);
    if (!id) return fail(id.error());
    acd.credential_id.assign(id->begin(), id->end());
    auto key = next_item();
    if (!key) return fail(key.error());
    if (!key->is_map()) return fail(CtapStatus::kInvalidCbor);
    acd.public_key = std::move(*key);
    d.attested = std::move(acd);
  }
  if (d.flags & flags::kEd) {  // WebAuthn §6.1: extensions map
    auto ext = next_item();
    if (!ext) return fail(ext.error());
    if (!ext->is_map()) return fail(CtapStatus::kInvalidCbor);
    d.extensions = std::move(*ext);
  }
  VFIDO_TRY(r.expect_end());
  return d;
}

}  // namespace vfido
