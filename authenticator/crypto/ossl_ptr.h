// Owning handles for the OpenSSL 3 objects the crypto module uses, declared once (style.md §9).
// Only authenticator/crypto/*.cpp includes this header, so <openssl/...> stays out of the rest
// of the core.
#pragma once

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdint>
#include <memory>
#include <span>

namespace vfido::crypto {

// A deleter that calls one OpenSSL free function.
template <auto FreeFn>
struct OsslDeleter {
  template <typename T>
  void operator()(T* p) const {
    FreeFn(p);
  }
};

using PkeyPtr = std::unique_ptr<EVP_PKEY, OsslDeleter<&EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OsslDeleter<&EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, OsslDeleter<&EVP_MD_CTX_free>>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, OsslDeleter<&EVP_CIPHER_CTX_free>>;
using MacPtr = std::unique_ptr<EVP_MAC, OsslDeleter<&EVP_MAC_free>>;
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, OsslDeleter<&EVP_MAC_CTX_free>>;
using KdfPtr = std::unique_ptr<EVP_KDF, OsslDeleter<&EVP_KDF_free>>;
using KdfCtxPtr = std::unique_ptr<EVP_KDF_CTX, OsslDeleter<&EVP_KDF_CTX_free>>;
// BIGNUMs here may hold private scalars, so they are always wiped before being freed.
using BignumPtr = std::unique_ptr<BIGNUM, OsslDeleter<&BN_clear_free>>;
using BnCtxPtr = std::unique_ptr<BN_CTX, OsslDeleter<&BN_CTX_free>>;
using EcGroupPtr = std::unique_ptr<EC_GROUP, OsslDeleter<&EC_GROUP_free>>;
using EcPointPtr = std::unique_ptr<EC_POINT, OsslDeleter<&EC_POINT_clear_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, OsslDeleter<&OSSL_PARAM_BLD_free>>;
// OSSL_PARAM_free wipes the secure block that OSSL_PARAM_BLD puts BN_FLG_SECURE numbers in.
using ParamsPtr = std::unique_ptr<OSSL_PARAM, OsslDeleter<&OSSL_PARAM_free>>;

using X509Ptr = std::unique_ptr<X509, OsslDeleter<&X509_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, OsslDeleter<&X509_STORE_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, OsslDeleter<&X509_STORE_CTX_free>>;
using X509ExtensionPtr = std::unique_ptr<X509_EXTENSION, OsslDeleter<&X509_EXTENSION_free>>;
using BasicConstraintsPtr = std::unique_ptr<BASIC_CONSTRAINTS, OsslDeleter<&BASIC_CONSTRAINTS_free>>;
using BioPtr = std::unique_ptr<BIO, OsslDeleter<&BIO_free_all>>;
using Asn1ObjectPtr = std::unique_ptr<ASN1_OBJECT, OsslDeleter<&ASN1_OBJECT_free>>;
using Asn1StringPtr = std::unique_ptr<ASN1_STRING, OsslDeleter<&ASN1_STRING_free>>;
using Asn1TimePtr = std::unique_ptr<ASN1_TIME, OsslDeleter<&ASN1_TIME_free>>;

// Memory that OpenSSL allocated for the caller (OPENSSL_free is a macro, so no OsslDeleter).
struct OpensslFree {
  void operator()(void* p) const { OPENSSL_free(p); }
};
template <typename T>
using OsslBuffer = std::unique_ptr<T, OpensslFree>;

// OpenSSL treats a NULL buffer as "absent" in several places (HMAC keys, OSSL_PARAM octet
// strings) even when the length is 0; an empty span may have a NULL data(). This gives a valid
// pointer for every span, to be used together with the span's size.
inline const unsigned char* data_or_empty(std::span<const std::uint8_t> s) {
  static const unsigned char kEmpty[1] = {0};
  return s.empty() ? kEmpty : s.data();
}

}  // namespace vfido::crypto
