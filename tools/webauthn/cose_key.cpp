#include "tools/webauthn/cose_key.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include <memory>

#include "authenticator/ctap_constants.h"

namespace vfido::webauthn {
namespace {

constexpr std::size_t kP256CoordLen = 32;
constexpr std::size_t kEd25519Len = 32;
constexpr unsigned kRsaMinBits = 2048;
constexpr unsigned kRsaMaxBits = 4096;
constexpr std::int64_t kLabelRsaN = -1;  // RFC 8230 §4
constexpr std::int64_t kLabelRsaE = -2;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct CtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct BldFree {
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::optional<std::int64_t> int_at(const cbor::Value& m, std::int64_t label) {
  const cbor::Value* v = m.find(label);
  if (v == nullptr) return std::nullopt;
  return v->as_int64();
}
const Bytes* bytes_at(const cbor::Value& m, std::int64_t label) {
  const cbor::Value* v = m.find(label);
  return v != nullptr && v->is_bytes() ? &v->as_bytes() : nullptr;
}

// EVP_PKEY_fromdata with the public-key selection; OpenSSL checks the encoding (an EC point
// must lie on the curve).
Pkey from_params(const char* type, OSSL_PARAM* params) {
  std::unique_ptr<EVP_PKEY_CTX, CtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) return nullptr;
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) != 1) return nullptr;
  return Pkey(raw);
}

Bytes spki_of(EVP_PKEY* pkey) {
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(pkey, &der);
  if (len <= 0) return {};
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

tl::expected<Pkey, std::string> ec2_key(const cbor::Value& cose) {
  auto crv = int_at(cose, cose::kLabelCrv);
  if (!crv || *crv != cose::kCrvP256) return tl::unexpected<std::string>("EC2 key: crv must be 1 (P-256) for ES256");
  const Bytes* x = bytes_at(cose, cose::kLabelX);
  const Bytes* y = bytes_at(cose, cose::kLabelY);
  if (x == nullptr || y == nullptr) return tl::unexpected<std::string>("EC2 key: x (-2) and y (-3) byte strings are required");
  if (x->size() != kP256CoordLen) return tl::unexpected("EC2 key: x is " + std::to_string(x->size()) + " bytes, expected 32");
  if (y->size() != kP256CoordLen) return tl::unexpected("EC2 key: y is " + std::to_string(y->size()) + " bytes, expected 32");
  Bytes point = ByteWriter(65).u8(0x04).bytes(*x).bytes(*y).view();
  char group[] = "prime256v1";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end(),
  };
  Pkey key = from_params("EC", params);
  if (!key || EVP_PKEY_get_bits(key.get()) != 256) return tl::unexpected<std::string>("EC2 key: the point is not on P-256");
  return key;
}

tl::expected<Pkey, std::string> okp_key(const cbor::Value& cose) {
  auto crv = int_at(cose, cose::kLabelCrv);
  if (!crv || *crv != cose::kCrvEd25519) return tl::unexpected<std::string>("OKP key: crv must be 6 (Ed25519) for EdDSA");
  const Bytes* x = bytes_at(cose, cose::kLabelX);
  if (x == nullptr) return tl::unexpected<std::string>("OKP key: x (-2) byte string is required");
  if (x->size() != kEd25519Len) return tl::unexpected("OKP key: x is " + std::to_string(x->size()) + " bytes, expected 32");
  Bytes pub = *x;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pub.data(), pub.size()),
      OSSL_PARAM_construct_end(),
  };
  Pkey key = from_params("ED25519", params);
  if (!key) return tl::unexpected<std::string>("OKP key: not a valid Ed25519 public key");
  return key;
}

tl::expected<Pkey, std::string> rsa_key(const cbor::Value& cose) {
  const Bytes* n = bytes_at(cose, kLabelRsaN);
  const Bytes* e = bytes_at(cose, kLabelRsaE);
  if (n == nullptr || e == nullptr) return tl::unexpected<std::string>("RSA key: n (-1) and e (-2) byte strings are required");
  // RFC 8230 §4: unsigned big-endian without leading zero bytes.
  if (n->empty() || e->empty() || (*n)[0] == 0 || (*e)[0] == 0) {
    return tl::unexpected<std::string>("RSA key: n and e must be non-empty without leading zero bytes (RFC 8230 §4)");
  }
  const std::size_t bits = n->size() * 8;
  if (bits < kRsaMinBits || bits > kRsaMaxBits) {
    return tl::unexpected("RSA key: a " + std::to_string(bits) + "-bit modulus is outside 2048..4096");
  }
  if (e->size() > 8 || (e->back() & 1U) == 0) return tl::unexpected<std::string>("RSA key: e must be odd and at most 64 bits");
  std::unique_ptr<BIGNUM, BnFree> bn_n(BN_bin2bn(n->data(), static_cast<int>(n->size()), nullptr));
  std::unique_ptr<BIGNUM, BnFree> bn_e(BN_bin2bn(e->data(), static_cast<int>(e->size()), nullptr));
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return tl::unexpected<std::string>("RSA key: out of memory");
  }
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld.get()));
  Pkey key = params ? from_params("RSA", params.get()) : nullptr;
  if (!key) return tl::unexpected<std::string>("RSA key: OpenSSL rejects n/e");
  return key;
}

}  // namespace

tl::expected<CoseKey, std::string> parse_cose_key(const cbor::Value& cose) {
  if (!cose.is_map()) return tl::unexpected<std::string>("credential public key is not a CBOR map");
  auto kty = int_at(cose, cose::kLabelKty);
  auto alg = int_at(cose, cose::kLabelAlg);
  if (!kty) return tl::unexpected<std::string>("COSE_Key has no integer kty (1)");
  if (!alg) return tl::unexpected<std::string>("COSE_Key has no integer alg (3)");
  tl::expected<Pkey, std::string> key = tl::unexpected<std::string>("");
  if (*alg == cose::kAlgEs256 && *kty == cose::kKtyEc2) {
    key = ec2_key(cose);
  } else if (*alg == cose::kAlgEdDsa && *kty == cose::kKtyOkp) {
    key = okp_key(cose);
  } else if (*alg == cose::kAlgRs256 && *kty == cose::kKtyRsa) {
    key = rsa_key(cose);
  } else {
    return tl::unexpected("unsupported COSE_Key: kty " + std::to_string(*kty) + " with alg " + cose_alg_name(*alg) +
                          " (supported: EC2 ES256, OKP EdDSA, RSA RS256)");
  }
  if (!key) return tl::unexpected(key.error());
  CoseKey out;
  out.alg = *alg;
  out.kty = *kty;
  out.cose = cose;
  out.spki_der = spki_of(key->get());
  if (out.spki_der.empty()) return tl::unexpected<std::string>("cannot encode the key as SubjectPublicKeyInfo");
  return out;
}

std::string cose_alg_name(std::int64_t alg) {
  switch (alg) {
    case -7: return "ES256 (-7)";
    case -8: return "EdDSA (-8)";
    case -35: return "ES384 (-35)";
    case -257: return "RS256 (-257)";
    default: return "COSE " + std::to_string(alg);
  }
}

}  // namespace vfido::webauthn
