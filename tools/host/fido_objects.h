// Small C++ conveniences over libfido2's C objects, shared by the CLI and the integration
// tests: owning pointers (fido_X_free NULLs the pointer it is given, so each deleter passes a
// copy) and readable renderings of what libfido2 returns.
#pragma once

#include <fido.h>
#include <fido/credman.h>
#include <fido/eddsa.h>
#include <fido/es256.h>
#include <fido/rs256.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace vfido::host {

struct FidoCredDeleter {
  void operator()(fido_cred_t* p) const { fido_cred_free(&p); }
};
struct FidoAssertDeleter {
  void operator()(fido_assert_t* p) const { fido_assert_free(&p); }
};
struct FidoCborInfoDeleter {
  void operator()(fido_cbor_info_t* p) const { fido_cbor_info_free(&p); }
};
struct FidoCredmanMetadataDeleter {
  void operator()(fido_credman_metadata_t* p) const { fido_credman_metadata_free(&p); }
};
struct FidoCredmanRpDeleter {
  void operator()(fido_credman_rp_t* p) const { fido_credman_rp_free(&p); }
};
struct FidoCredmanRkDeleter {
  void operator()(fido_credman_rk_t* p) const { fido_credman_rk_free(&p); }
};
struct Es256PkDeleter {
  void operator()(es256_pk_t* p) const { es256_pk_free(&p); }
};
struct EddsaPkDeleter {
  void operator()(eddsa_pk_t* p) const { eddsa_pk_free(&p); }
};
struct Rs256PkDeleter {
  void operator()(rs256_pk_t* p) const { rs256_pk_free(&p); }
};

using FidoCred = std::unique_ptr<fido_cred_t, FidoCredDeleter>;
using FidoAssert = std::unique_ptr<fido_assert_t, FidoAssertDeleter>;
using FidoCborInfo = std::unique_ptr<fido_cbor_info_t, FidoCborInfoDeleter>;
using FidoCredmanMetadata = std::unique_ptr<fido_credman_metadata_t, FidoCredmanMetadataDeleter>;
using FidoCredmanRp = std::unique_ptr<fido_credman_rp_t, FidoCredmanRpDeleter>;
using FidoCredmanRk = std::unique_ptr<fido_credman_rk_t, FidoCredmanRkDeleter>;

// A credential public key in the form fido_assert_verify() wants, built from
// fido_cred_pubkey_ptr()/len() of a credential of COSE algorithm `alg` (ES256, EdDSA, RS256).
class PublicKey {
 public:
  // Returns false (and stays empty) when the algorithm is unsupported or the bytes are bad.
  bool load(int alg, const unsigned char* ptr, std::size_t len);
  int alg() const { return alg_; }
  const void* get() const;  // the es256_pk_t* / eddsa_pk_t* / rs256_pk_t*, or null when empty

 private:
  int alg_ = 0;
  std::unique_ptr<es256_pk_t, Es256PkDeleter> es256_;
  std::unique_ptr<eddsa_pk_t, EddsaPkDeleter> eddsa_;
  std::unique_ptr<rs256_pk_t, Rs256PkDeleter> rs256_;
};

std::string hex(const unsigned char* ptr, std::size_t len);
// "0x41 UP AT": the value and the names of the set WebAuthn §6.1 flag bits.
std::string flags_text(std::uint8_t flags);
// 16 bytes as a UUID, "3d92011f-b552-406d-b137-63434ee000d5"; hex for any other length.
std::string uuid_text(const unsigned char* ptr, std::size_t len);
// "ES256 (-7)", "EdDSA (-8)", "RS256 (-257)", or "COSE -N".
std::string cose_alg_name(int alg);
// "FIDO_ERR_NO_CREDENTIALS (0x2e)": fido_strerr() plus the number.
std::string fido_error_text(int r);

}  // namespace vfido::host
