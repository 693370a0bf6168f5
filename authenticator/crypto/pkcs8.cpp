#include "authenticator/crypto/pkcs8.h"

#include <climits>

#include "authenticator/crypto/ossl_ptr.h"

namespace vfido::crypto {
namespace {

using Pkcs8Ptr = std::unique_ptr<PKCS8_PRIV_KEY_INFO, OsslDeleter<&PKCS8_PRIV_KEY_INFO_free>>;

}  // namespace

Result<PrivateKey> checked_private_key(const evp_pkey_st* pkey) {
  auto key = PrivateKey::from_evp(pkey);  // the key type first: kUnsupportedAlgorithm for others
  if (!key) return key;
  // A supplied key is checked once: the public half (when the encoding carries one) belongs to
  // the private half, and an RSA key's parts agree (n = p*q, d*e = 1 mod lcm(p-1, q-1), ...).
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, const_cast<EVP_PKEY*>(pkey), nullptr));
  if (!check) return fail(CtapStatus::kOther);
  if (EVP_PKEY_pairwise_check(check.get()) != 1) return fail(CtapStatus::kInvalidParameter);
  return key;
}

Result<PrivateKey> private_key_from_pkcs8(ByteSpan der) {
  if (der.empty() || der.size() > static_cast<std::size_t>(LONG_MAX)) return fail(CtapStatus::kInvalidParameter);
  const unsigned char* p = der.data();
  // RFC 5958 §2: PrivateKeyInfo (version 0) or OneAsymmetricKey (version 1); both parse here.
  Pkcs8Ptr info(d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size())));
  if (!info || p != der.data() + der.size()) return fail(CtapStatus::kInvalidParameter);  // trailing bytes
  PkeyPtr pkey(EVP_PKCS82PKEY(info.get()));
  if (!pkey) return fail(CtapStatus::kInvalidParameter);
  return checked_private_key(pkey.get());
}

Result<SecretBytes> private_key_to_pkcs8(const PrivateKey& key) {
  if (key.evp_pkey() == nullptr) return fail(CtapStatus::kInvalidParameter);
  Pkcs8Ptr info(EVP_PKEY2PKCS8(key.evp_pkey()));
  if (!info) return fail(CtapStatus::kOther);
  unsigned char* out = nullptr;
  int len = i2d_PKCS8_PRIV_KEY_INFO(info.get(), &out);
  if (len <= 0 || out == nullptr) return fail(CtapStatus::kOther);
  SecretBytes der(ByteSpan(out, static_cast<std::size_t>(len)));
  OPENSSL_clear_free(out, static_cast<std::size_t>(len));
  return der;
}

}  // namespace vfido::crypto
