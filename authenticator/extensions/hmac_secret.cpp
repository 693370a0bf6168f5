#include "authenticator/extensions/hmac_secret.h"

#include "authenticator/cbor/map_reader.h"
#include "authenticator/crypto/hash.h"

namespace vfido {

Result<HmacSecretInput> HmacSecretInput::parse(const cbor::Value& v) {
  auto m = cbor::MapReader::from(v);
  if (!m) return fail(m.error());
  HmacSecretInput in;
  auto ka = m->required_map(1);
  if (!ka) return fail(ka.error());
  in.key_agreement = **ka;
  auto salt_enc = m->required_bytes(2);
  if (!salt_enc) return fail(salt_enc.error());
  in.salt_enc = std::move(*salt_enc);
  auto salt_auth = m->required_bytes(3);
  if (!salt_auth) return fail(salt_auth.error());
  in.salt_auth = std::move(*salt_auth);
  auto protocol = m->optional_uint(4);
  if (!protocol) return fail(protocol.error());
  in.protocol = *protocol;
  return in;
}

crypto::SecretBytes cred_random(const CredentialRecord& cred, bool uv) {
  auto mac = crypto::hmac_sha256(cred.private_key.expose(),
                                 as_span(uv ? "vfido hmac-secret CredRandomWithUV" : "vfido hmac-secret CredRandomWithoutUV"));
  crypto::SecretBytes out{ByteSpan(mac)};
  crypto::cleanse(mac.data(), mac.size());
  return out;
}

Result<Bytes> hmac_secret_output(const HmacSecretSalts& salts, const CredentialRecord& cred, bool uv, Rng& rng) {
  // CTAP 2.1 §12.5: CredRandom by the uv bit; one HMAC per 32-byte salt.
  const crypto::SecretBytes key = cred_random(cred, uv);
  const ByteSpan all = salts.salts.expose();
  crypto::SecretBytes outputs(all.size());
  for (std::size_t off = 0; off < all.size(); off += 32) {
    auto mac = crypto::hmac_sha256(key.expose(), all.subspan(off, 32));
    std::copy(mac.begin(), mac.end(), outputs.expose_mut().begin() + static_cast<std::ptrdiff_t>(off));
    crypto::cleanse(mac.data(), mac.size());
  }
  return pin_uv_auth::encrypt(salts.protocol, salts.shared_secret.expose(), outputs.expose(), rng);
}

}  // namespace vfido
