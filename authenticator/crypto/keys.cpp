// ES256 (ECDSA P-256 + SHA-256, RFC 9053 §2.1), EdDSA (Ed25519, RFC 8032 §5.1) and RS256
// (RSASSA-PKCS1-v1_5 + SHA-256, RFC 8017 §8.2, registered for COSE by RFC 8812 §2) credential
// keys, and P-256 ECDH (CTAP 2.1 §6.5.6), on OpenSSL 3 EVP. EC and Ed25519 keys are imported
// with EVP_PKEY_fromdata; the only low-level EC calls are the non-deprecated EC_GROUP/EC_POINT
// ones used to compute a public point from a scalar. RSA keys travel as PKCS #1 DER.
#include "authenticator/crypto/keys.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/obj_mac.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <bit>

#include "authenticator/crypto/der.h"
#include "authenticator/crypto/ossl_ptr.h"
#include "authenticator/ctap_constants.h"
#include "authenticator/env/rng.h"

namespace vfido::crypto {
namespace {

constexpr std::size_t kP256ScalarLen = 32;
constexpr std::size_t kP256CoordLen = 32;
constexpr std::size_t kP256PointLen = 1 + 2 * kP256CoordLen;  // SEC 1 §2.3.3: 04 || x || y
constexpr std::uint8_t kUncompressedTag = 0x04;
constexpr std::size_t kEd25519KeyLen = 32;  // RFC 8032 §5.1.5: seed and public key
constexpr std::size_t kEd25519SigLen = 64;  // RFC 8032 §5.1.6
// Rejection sampling gives up after this many draws. Each draw is rejected with probability
// about 2^-32 for P-256, so reaching the limit means the Rng is broken (e.g. stuck at 0xFF..).
constexpr int kMaxScalarDraws = 64;
char kP256GroupName[] = SN_X9_62_prime256v1;
// RFC 8230 §4: RSA COSE_Key parameters (the same numbers as crv and x for EC2 keys).
constexpr std::int64_t kLabelRsaN = -1;
constexpr std::int64_t kLabelRsaE = -2;
// The largest public exponent verify_signature() accepts: 8 bytes (e < 2^64). Real keys use 65537.
constexpr std::size_t kRsaMaxExponentLen = 8;

std::unique_ptr<void, PkeyDeleter> to_opaque(PkeyPtr p) { return std::unique_ptr<void, PkeyDeleter>(p.release()); }

void* param_ptr(ByteSpan s) { return const_cast<unsigned char*>(data_or_empty(s)); }

// EVP_PKEY_fromdata for `type` ("EC", "ED25519") with the given selection and parameters.
PkeyPtr pkey_from_params(const char* type, int selection, OSSL_PARAM* params) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) return nullptr;
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, selection, params) != 1) return nullptr;
  return PkeyPtr(raw);
}

// ---- P-256 ----------------------------------------------------------------------------------

// SEC 2 §2.4.2: the order n of the P-256 base point, big-endian.
constexpr std::array<std::uint8_t, kP256ScalarLen> kP256Order = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};

// SEC 1 §3.2.1: a private key is an integer d with 1 <= d <= n-1. Computed without branching
// on the scalar's bytes: d < n exactly when d - n borrows out of the top byte.
bool p256_scalar_in_range(ByteSpan d) {
  if (d.size() != kP256ScalarLen) return false;
  unsigned borrow = 0;
  unsigned any_set = 0;
  for (std::size_t i = kP256ScalarLen; i-- > 0;) {
    unsigned diff = static_cast<unsigned>(d[i]) - static_cast<unsigned>(kP256Order[i]) - borrow;
    borrow = (diff >> 8) & 1U;  // the subtraction wrapped below zero
    any_set |= d[i];
  }
  return borrow == 1U && any_set != 0U;
}

// Q = d·G, encoded uncompressed (SEC 1 §2.3.3).
Result<Bytes> p256_public_from_scalar(ByteSpan priv) {
  if (!p256_scalar_in_range(priv)) return fail(CtapStatus::kInvalidParameter);
  EcGroupPtr group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
  BignumPtr d(BN_secure_new());
  BnCtxPtr bn_ctx(BN_CTX_secure_new());
  if (!group || !d || !bn_ctx) return fail(CtapStatus::kOther);
  if (BN_bin2bn(priv.data(), static_cast<int>(priv.size()), d.get()) == nullptr) return fail(CtapStatus::kOther);
  EcPointPtr q(EC_POINT_new(group.get()));
  if (!q || EC_POINT_mul(group.get(), q.get(), d.get(), nullptr, nullptr, bn_ctx.get()) != 1) {
    return fail(CtapStatus::kOther);
  }
  Bytes pub(kP256PointLen);
  if (EC_POINT_point2oct(group.get(), q.get(), POINT_CONVERSION_UNCOMPRESSED, pub.data(), pub.size(),
                         bn_ctx.get()) != kP256PointLen) {
    return fail(CtapStatus::kOther);
  }
  return pub;
}

bool is_p256_point_encoding(ByteSpan pub) { return pub.size() == kP256PointLen && pub[0] == kUncompressedTag; }

// A P-256 public key. The import checks that the point is on the curve (SEC 1 §3.2.2.1).
Result<PkeyPtr> p256_public_pkey(ByteSpan pub) {
  if (!is_p256_point_encoding(pub)) return fail(CtapStatus::kInvalidParameter);
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, kP256GroupName, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, param_ptr(pub), pub.size()),
      OSSL_PARAM_construct_end(),
  };
  PkeyPtr pkey = pkey_from_params("EC", EVP_PKEY_PUBLIC_KEY, params);
  if (!pkey) return fail(CtapStatus::kInvalidParameter);
  return pkey;
}

// A P-256 key pair from the scalar and its public point, which is trusted and not recomputed:
// loading a stored credential must cost much less than the signature it is loaded for. The
// import still checks that the point is on the curve.
Result<PkeyPtr> p256_keypair_pkey(ByteSpan priv, ByteSpan pub) {
  if (!p256_scalar_in_range(priv) || !is_p256_point_encoding(pub)) return fail(CtapStatus::kInvalidParameter);
  // OSSL_PARAM integers are native-endian; the copy is wiped below.
  std::array<std::uint8_t, kP256ScalarLen> native{};
  if constexpr (std::endian::native == std::endian::little) {
    std::reverse_copy(priv.begin(), priv.end(), native.begin());
  } else {
    std::copy(priv.begin(), priv.end(), native.begin());
  }
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, kP256GroupName, 0),
      OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_PRIV_KEY, native.data(), native.size()),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, param_ptr(pub), pub.size()),
      OSSL_PARAM_construct_end(),
  };
  PkeyPtr pkey = pkey_from_params("EC", EVP_PKEY_KEYPAIR, params);
  cleanse(native.data(), native.size());
  // The scalar was range-checked, so a failure here is a point that is not on the curve.
  if (!pkey) return fail(CtapStatus::kInvalidParameter);
  return pkey;
}

// ---- Ed25519 --------------------------------------------------------------------------------

Result<PkeyPtr> ed25519_keypair_pkey(ByteSpan seed, ByteSpan pub) {
  if (seed.size() != kEd25519KeyLen) return fail(CtapStatus::kInvalidParameter);
  if (pub.empty()) {
    // RFC 8032 §5.1.5: the public key is derived from the seed.
    PkeyPtr pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
    if (!pkey) return fail(CtapStatus::kOther);
    return pkey;
  }
  if (pub.size() != kEd25519KeyLen) return fail(CtapStatus::kInvalidParameter);
  // Both halves given: imported as they are, without the scalar multiplication.
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PRIV_KEY, param_ptr(seed), seed.size()),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, param_ptr(pub), pub.size()),
      OSSL_PARAM_construct_end(),
  };
  PkeyPtr pkey = pkey_from_params("ED25519", EVP_PKEY_KEYPAIR, params);
  if (!pkey) return fail(CtapStatus::kInvalidParameter);
  return pkey;
}

Result<Bytes> ed25519_public(const EVP_PKEY* pkey) {
  Bytes pub(kEd25519KeyLen);
  std::size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(pkey, pub.data(), &len) != 1 || len != kEd25519KeyLen) {
    return fail(CtapStatus::kOther);
  }
  return pub;
}

Result<PkeyPtr> ed25519_public_pkey(ByteSpan pub) {
  if (pub.size() != kEd25519KeyLen) return fail(CtapStatus::kInvalidParameter);
  PkeyPtr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, pub.data(), pub.size()));
  if (!pkey) return fail(CtapStatus::kInvalidParameter);
  return pkey;
}

// ---- RSA ------------------------------------------------------------------------------------

// RFC 8017 §A.1.2: the INTEGERs of a two-prime RSAPrivateKey after its version, in order, with the
// OpenSSL parameter each one becomes.
constexpr std::array<const char*, 8> kRsaPrivateParams = {
    OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,         OSSL_PKEY_PARAM_RSA_D,
    OSSL_PKEY_PARAM_RSA_FACTOR1,   OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
    OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
};

// The public half both key import paths accept: n (minimal, no leading zero octet) of
// kRsaMinBits..kRsaMaxBits and e odd, at least 3 and at most 8 bytes.
bool rsa_public_ok(ByteSpan n, ByteSpan e) {
  if (n.empty() || e.empty() || n[0] == 0 || e[0] == 0) return false;
  auto bits = n.size() * 8 - static_cast<std::size_t>(std::countl_zero(n[0]));
  if (bits < PrivateKey::kRsaMinBits || bits > PrivateKey::kRsaMaxBits) return false;
  return e.size() <= kRsaMaxExponentLen && (e.back() & 1U) != 0 && !(e.size() == 1 && e[0] < 3);
}

// RFC 8017 §A.1.1: RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }.
Bytes rsa_public_der(ByteSpan n, ByteSpan e) {
  ByteWriter body(n.size() + e.size() + 16);
  der::write_unsigned_integer(body, n);
  der::write_unsigned_integer(body, e);
  ByteWriter out(body.size() + 4);
  der::write_tlv(out, der::kTagSequence, body.view());
  return std::move(out).take();
}

// n and e of a DER RSAPublicKey.
Result<std::pair<ByteSpan, ByteSpan>> rsa_public_parts(ByteSpan der_bytes) {
  auto body = der::read_single(der_bytes, der::kTagSequence);
  if (!body) return fail(body.error());
  ByteReader in(*body, CtapStatus::kInvalidParameter);
  auto n = der::read_unsigned_integer(in);
  auto e = der::read_unsigned_integer(in);
  if (!n || !e || !in.expect_end()) return fail(CtapStatus::kInvalidParameter);
  return std::pair{*n, *e};
}

// An RSA integer parameter (n or e), big-endian without leading zeros (RFC 8230 §4, I2OSP with
// the minimum number of octets). Empty if OpenSSL cannot produce it.
Bytes rsa_bn_param(const EVP_PKEY* pkey, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) return {};
  BignumPtr bn(raw);
  Bytes out(static_cast<std::size_t>(BN_num_bytes(bn.get())));
  if (BN_bn2bin(bn.get(), out.data()) != static_cast<int>(out.size())) return {};
  return out;
}

// The DER RSAPrivateKey of an RSA key, copied into wiped memory; OpenSSL's buffer is wiped too.
Result<SecretBytes> rsa_private_der(const EVP_PKEY* pkey) {
  unsigned char* buf = nullptr;
  int len = i2d_PrivateKey(pkey, &buf);
  if (len <= 0 || buf == nullptr) return fail(CtapStatus::kOther);
  SecretBytes out(ByteSpan(buf, static_cast<std::size_t>(len)));
  OPENSSL_clear_free(buf, static_cast<std::size_t>(len));
  return out;
}

struct RsaKeyPair {
  PkeyPtr pkey;
  Bytes public_der;
};

// A DER RSAPrivateKey (RFC 8017 §A.1.2), read by der.h rather than OpenSSL's decoders (ten times
// faster, and strict): version 0 (two primes; multi-prime version 1 is refused), nine positive
// INTEGERs, nothing after the SEQUENCE, so PKCS #8 and BER are refused too and private_bytes()
// has one form. The parts are not checked against each other: keys come from generate() or an
// authenticated store (x509.h checks supplied PEM keys).
Result<RsaKeyPair> rsa_private_pkey(ByteSpan der_bytes) {
  auto body = der::read_single(der_bytes, der::kTagSequence);
  if (!body) return fail(CtapStatus::kInvalidParameter);
  ByteReader in(*body, CtapStatus::kInvalidParameter);
  auto version = der::read_unsigned_integer(in);
  if (!version || !version->empty()) return fail(CtapStatus::kInvalidParameter);
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld) return fail(CtapStatus::kOther);
  std::array<BignumPtr, kRsaPrivateParams.size()> bns;
  std::array<ByteSpan, 2> public_parts;  // n, e
  for (std::size_t i = 0; i < kRsaPrivateParams.size(); ++i) {
    auto v = der::read_unsigned_integer(in);
    if (!v || v->empty()) return fail(CtapStatus::kInvalidParameter);
    if (i < public_parts.size()) public_parts[i] = *v;
    bns[i].reset(BN_secure_new());
    if (!bns[i] || BN_bin2bn(v->data(), static_cast<int>(v->size()), bns[i].get()) == nullptr ||
        OSSL_PARAM_BLD_push_BN(bld.get(), kRsaPrivateParams[i], bns[i].get()) != 1) {
      return fail(CtapStatus::kOther);
    }
  }
  if (!in.expect_end() || !rsa_public_ok(public_parts[0], public_parts[1])) {
    return fail(CtapStatus::kInvalidParameter);
  }
  ParamsPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return fail(CtapStatus::kOther);
  PkeyPtr pkey = pkey_from_params("RSA", EVP_PKEY_KEYPAIR, params.get());
  if (!pkey) return fail(CtapStatus::kInvalidParameter);
  return RsaKeyPair{std::move(pkey), rsa_public_der(public_parts[0], public_parts[1])};
}

// A public RSA key from COSE n and e (RFC 8230 §4).
Result<PkeyPtr> rsa_public_pkey(ByteSpan n, ByteSpan e) {
  if (!rsa_public_ok(n, e)) return fail(CtapStatus::kInvalidParameter);
  BignumPtr bn_n(BN_bin2bn(n.data(), static_cast<int>(n.size()), nullptr));
  BignumPtr bn_e(BN_bin2bn(e.data(), static_cast<int>(e.size()), nullptr));
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return fail(CtapStatus::kOther);
  }
  ParamsPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return fail(CtapStatus::kOther);
  PkeyPtr pkey = pkey_from_params("RSA", EVP_PKEY_PUBLIC_KEY, params.get());
  if (!pkey) return fail(CtapStatus::kInvalidParameter);
  return pkey;
}

// ---- signatures -----------------------------------------------------------------------------

// RFC 8017 §8.2: RS256 is PKCS #1 v1.5 padding, which OpenSSL also defaults to; set explicitly
// so that a changed default cannot turn RS256 into PSS.
bool set_rsa_pkcs1_padding(EVP_PKEY* pkey, EVP_PKEY_CTX* pctx) {
  if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) return true;
  return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
}

// `md` is SHA-256 for ECDSA and RSA and NULL for Ed25519, which hashes internally (RFC 8032
// §5.1.6).
Result<Bytes> digest_sign(EVP_PKEY* pkey, const EVP_MD* md, ByteSpan msg) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, md, nullptr, pkey) != 1 || !set_rsa_pkcs1_padding(pkey, pctx)) {
    return fail(CtapStatus::kOther);
  }
  std::size_t len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &len, data_or_empty(msg), msg.size()) != 1) {
    return fail(CtapStatus::kOther);
  }
  Bytes sig(len);
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, data_or_empty(msg), msg.size()) != 1) {
    return fail(CtapStatus::kOther);
  }
  sig.resize(len);  // a DER ECDSA signature is usually shorter than the maximum
  return sig;
}

bool digest_verify(EVP_PKEY* pkey, const EVP_MD* md, ByteSpan msg, ByteSpan sig) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, pkey) != 1 || !set_rsa_pkcs1_padding(pkey, pctx)) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), data_or_empty(sig), sig.size(), data_or_empty(msg), msg.size()) == 1;
}

// Reads an integer-valued COSE_Key parameter; nullopt when absent or not an integer.
std::optional<std::int64_t> cose_int(const cbor::Value& key, std::int64_t label) {
  const cbor::Value* v = key.find(label);
  if (v == nullptr) return std::nullopt;
  return v->as_int64();
}

// Reads a byte-string COSE_Key parameter of any length.
const Bytes* cose_bytes(const cbor::Value& key, std::int64_t label) {
  const cbor::Value* v = key.find(label);
  if (v == nullptr || !v->is_bytes()) return nullptr;
  return &v->as_bytes();
}

// Reads a byte-string COSE_Key parameter of exactly `len` bytes.
const Bytes* cose_bytes(const cbor::Value& key, std::int64_t label, std::size_t len) {
  const Bytes* b = cose_bytes(key, label);
  return b != nullptr && b->size() == len ? b : nullptr;
}

// ---- COSE_Key maps (WebAuthn §6.5.1.1) -------------------------------------------------------

// RFC 9053 §7.1.1 (EC2): kty 2, alg -7, crv 1 (P-256), x and y at full width, from 04||x||y.
cbor::Value ec2_cose(ByteSpan point) {
  using cbor::Value;
  return Value::map({
      {Value::integer(cose::kLabelKty), Value::integer(cose::kKtyEc2)},
      {Value::integer(cose::kLabelAlg), Value::integer(cose::kAlgEs256)},
      {Value::integer(cose::kLabelCrv), Value::integer(cose::kCrvP256)},
      {Value::integer(cose::kLabelX), Value::bytes(point.subspan(1, kP256CoordLen))},
      {Value::integer(cose::kLabelY), Value::bytes(point.subspan(1 + kP256CoordLen, kP256CoordLen))},
  });
}

// RFC 9053 §7.2 (OKP): kty 1, alg -8, crv 6 (Ed25519), x = the public key.
cbor::Value okp_cose(ByteSpan pub) {
  using cbor::Value;
  return Value::map({
      {Value::integer(cose::kLabelKty), Value::integer(cose::kKtyOkp)},
      {Value::integer(cose::kLabelAlg), Value::integer(cose::kAlgEdDsa)},
      {Value::integer(cose::kLabelCrv), Value::integer(cose::kCrvEd25519)},
      {Value::integer(cose::kLabelX), Value::bytes(pub)},
  });
}

// RFC 8230 §4 (RSA): kty 3, alg -257, n and e as minimal big-endian byte strings.
cbor::Value rsa_cose(ByteSpan n, ByteSpan e) {
  using cbor::Value;
  return Value::map({
      {Value::integer(cose::kLabelKty), Value::integer(cose::kKtyRsa)},
      {Value::integer(cose::kLabelAlg), Value::integer(cose::kAlgRs256)},
      {Value::integer(kLabelRsaN), Value::bytes(n)},
      {Value::integer(kLabelRsaE), Value::bytes(e)},
  });
}

bool is_p256(const EVP_PKEY* pkey) {
  if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC) return false;
  char group[64] = {};
  std::size_t len = 0;
  return EVP_PKEY_get_group_name(pkey, group, sizeof(group), &len) == 1 &&
         std::string_view(group, len) == SN_X9_62_prime256v1;
}

}  // namespace

void PkeyDeleter::operator()(void* pkey) const { EVP_PKEY_free(static_cast<EVP_PKEY*>(pkey)); }

bool PrivateKey::supports(std::int64_t cose_alg) {
  return cose_alg == cose::kAlgEs256 || cose_alg == cose::kAlgEdDsa || cose_alg == cose::kAlgRs256;
}

Result<PrivateKey> PrivateKey::generate(std::int64_t cose_alg, Rng& rng) {
  if (cose_alg == cose::kAlgEs256) {
    SecretBytes d(kP256ScalarLen);
    // FIPS 186-5 §A.2.2 (rejection sampling): draw 256 bits until 1 <= d <= n-1.
    for (int draw = 0; draw < kMaxScalarDraws; ++draw) {
      rng.fill(d.expose_mut());
      if (p256_scalar_in_range(d.expose())) return from_bytes(cose_alg, d.expose(), {});
    }
    return fail(CtapStatus::kOther);
  }
  if (cose_alg == cose::kAlgEdDsa) {
    // RFC 8032 §5.1.5: the private key is 32 random bytes.
    SecretBytes seed(kEd25519KeyLen);
    rng.fill(seed.expose_mut());
    return from_bytes(cose_alg, seed.expose(), {});
  }
  if (cose_alg == cose::kAlgRs256) {
    // Not from `rng` (see the header): OpenSSL's RSA generator with e = 65537.
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    EVP_PKEY* raw = nullptr;
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
        EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), static_cast<int>(kRsaGeneratedBits)) != 1 ||
        EVP_PKEY_generate(ctx.get(), &raw) != 1) {
      return fail(CtapStatus::kOther);
    }
    PkeyPtr pkey(raw);
    auto priv = rsa_private_der(pkey.get());
    Bytes n = rsa_bn_param(pkey.get(), OSSL_PKEY_PARAM_RSA_N);
    Bytes e = rsa_bn_param(pkey.get(), OSSL_PKEY_PARAM_RSA_E);
    if (!priv || n.empty() || e.empty()) return fail(CtapStatus::kOther);
    return PrivateKey(cose_alg, std::move(*priv), rsa_public_der(n, e), to_opaque(std::move(pkey)));
  }
  return fail(CtapStatus::kUnsupportedAlgorithm);
}

Result<PrivateKey> PrivateKey::from_bytes(std::int64_t cose_alg, ByteSpan private_bytes, ByteSpan public_bytes) {
  if (cose_alg == cose::kAlgEs256) {
    Bytes pub;
    if (public_bytes.empty()) {
      auto computed = p256_public_from_scalar(private_bytes);
      if (!computed) return fail(computed.error());
      pub = std::move(*computed);
    } else {
      pub.assign(public_bytes.begin(), public_bytes.end());
    }
    auto pkey = p256_keypair_pkey(private_bytes, pub);
    if (!pkey) return fail(pkey.error());
    return PrivateKey(cose_alg, SecretBytes(private_bytes), std::move(pub), to_opaque(std::move(*pkey)));
  }
  if (cose_alg == cose::kAlgEdDsa) {
    auto pkey = ed25519_keypair_pkey(private_bytes, public_bytes);
    if (!pkey) return fail(pkey.error());
    Bytes pub(public_bytes.begin(), public_bytes.end());
    if (pub.empty()) {
      auto derived = ed25519_public(pkey->get());
      if (!derived) return fail(derived.error());
      pub = std::move(*derived);
    }
    return PrivateKey(cose_alg, SecretBytes(private_bytes), std::move(pub), to_opaque(std::move(*pkey)));
  }
  if (cose_alg == cose::kAlgRs256) {
    auto pair = rsa_private_pkey(private_bytes);
    if (!pair) return fail(pair.error());
    // The public key is part of RSAPrivateKey; a stored copy must agree with it.
    if (!public_bytes.empty() &&
        !std::equal(public_bytes.begin(), public_bytes.end(), pair->public_der.begin(), pair->public_der.end())) {
      return fail(CtapStatus::kInvalidParameter);
    }
    return PrivateKey(cose_alg, SecretBytes(private_bytes), std::move(pair->public_der), to_opaque(std::move(pair->pkey)));
  }
  return fail(CtapStatus::kUnsupportedAlgorithm);
}

cbor::Value PrivateKey::public_cose() const {
  if (alg_ == cose::kAlgEs256) return ec2_cose(pub_);
  if (alg_ == cose::kAlgRs256) {
    auto parts = rsa_public_parts(pub_);
    // public_bytes() of an RS256 key is always our own RSAPublicKey encoding.
    return parts ? rsa_cose(parts->first, parts->second) : cbor::Value::map();
  }
  return okp_cose(pub_);
}

Result<PrivateKey> PrivateKey::from_evp(const evp_pkey_st* pkey) {
  if (pkey == nullptr) return fail(CtapStatus::kInvalidParameter);
  if (is_p256(pkey)) {
    BIGNUM* raw = nullptr;
    if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &raw) != 1) return fail(CtapStatus::kInvalidParameter);
    BignumPtr d(raw);
    SecretBytes scalar(kP256ScalarLen);
    if (BN_bn2binpad(d.get(), scalar.expose_mut().data(), static_cast<int>(kP256ScalarLen)) < 0) {
      return fail(CtapStatus::kInvalidParameter);
    }
    return from_bytes(cose::kAlgEs256, scalar.expose(), {});
  }
  if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_ED25519) {
    SecretBytes seed(kEd25519KeyLen);
    std::size_t len = seed.size();
    if (EVP_PKEY_get_raw_private_key(pkey, seed.expose_mut().data(), &len) != 1 || len != kEd25519KeyLen) {
      return fail(CtapStatus::kInvalidParameter);
    }
    return from_bytes(cose::kAlgEdDsa, seed.expose(), {});
  }
  if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA) {
    auto der_bytes = rsa_private_der(pkey);
    if (!der_bytes) return fail(CtapStatus::kInvalidParameter);
    return from_bytes(cose::kAlgRs256, der_bytes->expose(), {});
  }
  return fail(CtapStatus::kUnsupportedAlgorithm);
}

Result<cbor::Value> public_cose_of(const evp_pkey_st* pkey) {
  if (pkey == nullptr) return fail(CtapStatus::kInvalidParameter);
  if (is_p256(pkey)) {
    // SEC 1 §2.3.3 uncompressed, whatever form the key was encoded in.
    ByteArray<kP256PointLen> point{};
    point[0] = kUncompressedTag;
    for (auto [name, offset] : {std::pair{OSSL_PKEY_PARAM_EC_PUB_X, std::size_t{1}},
                                std::pair{OSSL_PKEY_PARAM_EC_PUB_Y, 1 + kP256CoordLen}}) {
      BIGNUM* raw = nullptr;
      if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) return fail(CtapStatus::kInvalidParameter);
      BignumPtr coord(raw);
      if (BN_bn2binpad(coord.get(), point.data() + offset, static_cast<int>(kP256CoordLen)) < 0) {
        return fail(CtapStatus::kInvalidParameter);
      }
    }
    return ec2_cose(point);
  }
  if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_ED25519) {
    auto pub = ed25519_public(pkey);
    if (!pub) return fail(CtapStatus::kInvalidParameter);
    return okp_cose(*pub);
  }
  if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA) {
    Bytes n = rsa_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N);
    Bytes e = rsa_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E);
    if (!rsa_public_ok(n, e)) return fail(CtapStatus::kUnsupportedAlgorithm);
    return rsa_cose(n, e);
  }
  return fail(CtapStatus::kUnsupportedAlgorithm);
}

Result<Bytes> PrivateKey::sign(ByteSpan msg) const {
  auto* pkey = static_cast<EVP_PKEY*>(pkey_.get());
  if (pkey == nullptr) return fail(CtapStatus::kOther);  // a moved-from key
  // WebAuthn §6.5.5 / RFC 9053 §2.1: ES256 signatures are DER ECDSA-Sig-Value over SHA-256.
  // RFC 8812 §2: RS256 is RSASSA-PKCS1-v1_5 with SHA-256.
  if (alg_ == cose::kAlgEs256 || alg_ == cose::kAlgRs256) return digest_sign(pkey, EVP_sha256(), msg);
  // RFC 8032 §5.1.6: PureEdDSA signs the message itself.
  return digest_sign(pkey, nullptr, msg);
}

bool verify_signature(const cbor::Value& cose_key, ByteSpan msg, ByteSpan signature) {
  if (!cose_key.is_map()) return false;
  auto kty = cose_int(cose_key, cose::kLabelKty);
  auto alg = cose_int(cose_key, cose::kLabelAlg);
  if (!kty || !alg) return false;
  if (*kty == cose::kKtyRsa && *alg == cose::kAlgRs256) {
    const Bytes* n = cose_bytes(cose_key, kLabelRsaN);
    const Bytes* e = cose_bytes(cose_key, kLabelRsaE);
    if (n == nullptr || e == nullptr) return false;
    auto pkey = rsa_public_pkey(*n, *e);
    // RFC 8017 §8.2.2 step 1: the signature is exactly as long as the modulus.
    if (!pkey || signature.size() != n->size()) return false;
    return digest_verify(pkey->get(), EVP_sha256(), msg, signature);
  }
  auto crv = cose_int(cose_key, cose::kLabelCrv);
  if (!crv) return false;
  if (*kty == cose::kKtyEc2 && *alg == cose::kAlgEs256 && *crv == cose::kCrvP256) {
    const Bytes* x = cose_bytes(cose_key, cose::kLabelX, kP256CoordLen);
    const Bytes* y = cose_bytes(cose_key, cose::kLabelY, kP256CoordLen);
    if (x == nullptr || y == nullptr) return false;
    Bytes point = ByteWriter(kP256PointLen).u8(kUncompressedTag).bytes(*x).bytes(*y).view();
    auto pkey = p256_public_pkey(point);
    if (!pkey) return false;
    return digest_verify(pkey->get(), EVP_sha256(), msg, signature);
  }
  if (*kty == cose::kKtyOkp && *alg == cose::kAlgEdDsa && *crv == cose::kCrvEd25519) {
    const Bytes* x = cose_bytes(cose_key, cose::kLabelX, kEd25519KeyLen);
    if (x == nullptr || signature.size() != kEd25519SigLen) return false;
    auto pkey = ed25519_public_pkey(*x);
    if (!pkey) return false;
    return digest_verify(pkey->get(), nullptr, msg, signature);
  }
  return false;
}

Result<EcdhKey> EcdhKey::generate(Rng& rng) {
  auto key = PrivateKey::generate(cose::kAlgEs256, rng);
  if (!key) return fail(key.error());
  return EcdhKey(std::move(*key));
}

Result<EcdhKey> EcdhKey::from_scalar(ByteSpan scalar) {
  auto key = PrivateKey::from_bytes(cose::kAlgEs256, scalar, {});
  if (!key) return fail(key.error());
  return EcdhKey(std::move(*key));
}

Result<SecretBytes> EcdhKey::shared_x(ByteSpan peer_point_uncompressed) const {
  // CTAP 2.1 §6.5.6 encapsulate/decapsulate: the peer's point must be a valid P-256 point
  // (wrong length, compressed form or off the curve are all kInvalidParameter).
  auto peer = p256_public_pkey(peer_point_uncompressed);
  if (!peer) return fail(peer.error());
  // Our own key, rebuilt from its bytes (the point is not recomputed).
  auto own = p256_keypair_pkey(key_.private_bytes().expose(), key_.public_bytes());
  if (!own) return fail(CtapStatus::kOther);
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, own->get(), nullptr));
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1) return fail(CtapStatus::kOther);
  if (EVP_PKEY_derive_set_peer_ex(ctx.get(), peer->get(), 1) != 1) return fail(CtapStatus::kInvalidParameter);
  std::size_t len = 0;
  if (EVP_PKEY_derive(ctx.get(), nullptr, &len) != 1 || len != kP256CoordLen) return fail(CtapStatus::kOther);
  // SEC 1 §3.3.1: the shared secret is the x-coordinate of d·Q.
  SecretBytes z(len);
  if (EVP_PKEY_derive(ctx.get(), z.expose_mut().data(), &len) != 1 || len != kP256CoordLen) {
    return fail(CtapStatus::kOther);
  }
  return z;
}

namespace {

constexpr std::size_t kP256CompressedLen = 1 + kP256CoordLen;  // SEC 1 §2.3.3: 02/03 || x

// Re-encodes a P-256 point; EC_POINT_oct2point checks that it is on the curve.
Result<Bytes> p256_reencode(ByteSpan in, point_conversion_form_t form, std::size_t out_len) {
  EcGroupPtr group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
  BnCtxPtr bn_ctx(BN_CTX_new());
  if (!group || !bn_ctx) return fail(CtapStatus::kOther);
  EcPointPtr point(EC_POINT_new(group.get()));
  if (!point) return fail(CtapStatus::kOther);
  if (EC_POINT_oct2point(group.get(), point.get(), in.data(), in.size(), bn_ctx.get()) != 1) {
    return fail(CtapStatus::kInvalidParameter);
  }
  Bytes out(out_len);
  if (EC_POINT_point2oct(group.get(), point.get(), form, out.data(), out.size(), bn_ctx.get()) != out_len) {
    return fail(CtapStatus::kOther);
  }
  return out;
}

}  // namespace

Result<Bytes> p256_compress(ByteSpan uncompressed) {
  if (!is_p256_point_encoding(uncompressed)) return fail(CtapStatus::kInvalidParameter);
  return p256_reencode(uncompressed, POINT_CONVERSION_COMPRESSED, kP256CompressedLen);
}

Result<Bytes> p256_decompress(ByteSpan compressed) {
  // SEC 1 §2.3.4 step 2: only the compressed forms 02 and 03 are accepted here.
  if (compressed.size() != kP256CompressedLen || (compressed[0] != 0x02 && compressed[0] != 0x03)) {
    return fail(CtapStatus::kInvalidParameter);
  }
  return p256_reencode(compressed, POINT_CONVERSION_UNCOMPRESSED, kP256PointLen);
}

}  // namespace vfido::crypto
