#include "authenticator/crypto/scrypt.h"

#include <openssl/core_names.h>

#include "authenticator/crypto/ossl_ptr.h"

namespace vfido::crypto {
namespace {

constexpr std::uint64_t kMaxN = std::uint64_t{1} << 20;
constexpr std::uint64_t kMaxMemory = std::uint64_t{1} << 30;

void* mutable_ptr(ByteSpan s) { return const_cast<unsigned char*>(data_or_empty(s)); }

}  // namespace

bool ScryptParams::plausible() const {
  // RFC 7914 §2: N must be larger than 1 and a power of two; r and p positive.
  const bool power_of_two = n > 1 && (n & (n - 1)) == 0;
  if (!power_of_two || n > kMaxN || r < 1 || r > 32 || p < 1 || p > 16) return false;
  return 128 * n * r <= kMaxMemory;
}

Result<SecretBytes> scrypt(ByteSpan passphrase, ByteSpan salt, const ScryptParams& params, std::size_t length) {
  if (!params.plausible() || length == 0) return fail(CtapStatus::kInvalidParameter);
  KdfPtr kdf(EVP_KDF_fetch(nullptr, "SCRYPT", nullptr));
  if (!kdf) return fail(CtapStatus::kOther);
  KdfCtxPtr ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) return fail(CtapStatus::kOther);
  std::uint64_t n = params.n;
  std::uint32_t r = params.r;
  std::uint32_t p = params.p;
  // OpenSSL's default maxmem (32 MiB) is below the default parameters' 32 MiB plus overhead.
  std::uint64_t maxmem = kMaxMemory + (std::uint64_t{1} << 24);
  const OSSL_PARAM ossl_params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, mutable_ptr(passphrase), passphrase.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, mutable_ptr(salt), salt.size()),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
      OSSL_PARAM_construct_end(),
  };
  SecretBytes out(length);
  if (EVP_KDF_derive(ctx.get(), out.expose_mut().data(), length, ossl_params) != 1) return fail(CtapStatus::kOther);
  return out;
}

}  // namespace vfido::crypto
