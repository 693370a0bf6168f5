// SHA-256 (FIPS 180-4), HMAC-SHA-256 (RFC 2104), HKDF-SHA-256 (RFC 5869) through OpenSSL 3 EVP.
// These functions cannot fail for valid input; an OpenSSL failure here means memory exhaustion
// or a broken library, and the core has no safe way to continue without its hash, so it aborts.
#include "authenticator/crypto/hash.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>

#include <cstdlib>

#include "authenticator/crypto/ossl_ptr.h"

namespace vfido::crypto {
namespace {

[[noreturn]] void crypto_failure() { std::abort(); }

// RFC 5869 §2.3: L <= 255 * HashLen.
constexpr std::size_t kHkdfMaxLen = 255 * kSha256Len;

EVP_MAC* hmac_algorithm() {
  // Fetched once: EVP_MAC objects are immutable and safe to share between threads.
  static const MacPtr mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (!mac) crypto_failure();
  return mac.get();
}

EVP_KDF* hkdf_algorithm() {
  static const KdfPtr kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  if (!kdf) crypto_failure();
  return kdf.get();
}

void* mutable_ptr(ByteSpan s) {
  // OSSL_PARAM takes void* but only reads input parameters.
  return const_cast<unsigned char*>(data_or_empty(s));
}

}  // namespace

Sha256Digest sha256(ByteSpan data) {
  Sha256Digest out{};
  unsigned int len = 0;
  if (EVP_Digest(data_or_empty(data), data.size(), out.data(), &len, EVP_sha256(), nullptr) != 1 ||
      len != kSha256Len) {
    crypto_failure();
  }
  return out;
}

Sha256Digest hmac_sha256(ByteSpan key, ByteSpan data) {
  MacCtxPtr ctx(EVP_MAC_CTX_new(hmac_algorithm()));
  if (!ctx) crypto_failure();
  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
      OSSL_PARAM_construct_end(),
  };
  Sha256Digest out{};
  std::size_t len = 0;
  // A non-NULL key pointer even for an empty key: HMAC init treats NULL as "keep the old key".
  if (EVP_MAC_init(ctx.get(), data_or_empty(key), key.size(), params) != 1 ||
      EVP_MAC_update(ctx.get(), data_or_empty(data), data.size()) != 1 ||
      EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) != 1 || len != kSha256Len) {
    crypto_failure();
  }
  return out;
}

SecretBytes hkdf_sha256(ByteSpan salt, ByteSpan ikm, ByteSpan info, std::size_t length) {
  // RFC 5869 §2.3: a longer output is a programming error, not a runtime condition.
  if (length > kHkdfMaxLen) crypto_failure();
  if (length == 0) return SecretBytes();
  KdfCtxPtr ctx(EVP_KDF_CTX_new(hkdf_algorithm()));
  if (!ctx) crypto_failure();
  char digest_name[] = "SHA256";
  OSSL_PARAM params[5];
  std::size_t n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest_name, 0);
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, mutable_ptr(ikm), ikm.size());
  // RFC 5869 §2.2: an absent salt is HashLen zeros, which is what HMAC does with an empty key,
  // so an empty salt is simply not passed.
  if (!salt.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, mutable_ptr(salt), salt.size());
  }
  if (!info.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, mutable_ptr(info), info.size());
  }
  params[n] = OSSL_PARAM_construct_end();
  SecretBytes out(length);
  if (EVP_KDF_derive(ctx.get(), out.expose_mut().data(), length, params) != 1) crypto_failure();
  return out;
}

bool equal_ct(ByteSpan a, ByteSpan b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace vfido::crypto
