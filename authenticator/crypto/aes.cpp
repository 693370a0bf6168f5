// AES-256-CBC without padding (CTAP 2.1 §6.5.6 / §6.5.7, PIN/UV auth protocols one and two),
// AES-256-GCM (NIST SP 800-38D) with a 96-bit nonce and a 128-bit tag, and single AES-256 blocks
// (ECB of one block), on OpenSSL 3 EVP.
#include "authenticator/crypto/aes.h"


#include <climits>

#include "authenticator/crypto/ossl_ptr.h"

namespace vfido::crypto {
namespace {

// EVP_*Update take int lengths; CTAP messages are far below this.
constexpr std::size_t kMaxInput = static_cast<std::size_t>(INT_MAX) - kAesBlockLen;

Result<void> check_key_iv(ByteSpan key, ByteSpan iv, std::size_t iv_len) {
  if (key.size() != kAesKeyLen) return fail(CtapStatus::kInvalidParameter);
  if (iv.size() != iv_len) return fail(CtapStatus::kInvalidParameter);
  return {};
}

// Runs one CBC pass (encrypt or decrypt) into `out`, which has in.size() bytes.
Result<void> cbc(bool encrypt, ByteSpan key, ByteSpan iv, ByteSpan in, std::span<std::uint8_t> out) {
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return fail(CtapStatus::kOther);
  if (EVP_CipherInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, key.data(), iv.data(), encrypt ? 1 : 0) != 1) {
    return fail(CtapStatus::kOther);
  }
  // CTAP 2.1 §6.5.6: "AES-256-CBC ... with no padding"; the length was checked by the caller.
  if (EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1) return fail(CtapStatus::kOther);
  int n1 = 0;
  int n2 = 0;
  if (EVP_CipherUpdate(ctx.get(), out.data(), &n1, in.data(), static_cast<int>(in.size())) != 1 ||
      EVP_CipherFinal_ex(ctx.get(), out.data() + n1, &n2) != 1 ||
      static_cast<std::size_t>(n1) + static_cast<std::size_t>(n2) != in.size()) {
    return fail(CtapStatus::kOther);
  }
  return {};
}

// One block through AES-256-ECB without padding.
Result<ByteArray<kAesBlockLen>> one_block(bool encrypt, ByteSpan key, ByteSpan block) {
  if (key.size() != kAesKeyLen || block.size() != kAesBlockLen) return fail(CtapStatus::kInvalidParameter);
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return fail(CtapStatus::kOther);
  if (EVP_CipherInit_ex(ctx.get(), EVP_aes_256_ecb(), nullptr, key.data(), nullptr, encrypt ? 1 : 0) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1) {
    return fail(CtapStatus::kOther);
  }
  ByteArray<kAesBlockLen> out{};
  int n1 = 0;
  int n2 = 0;
  if (EVP_CipherUpdate(ctx.get(), out.data(), &n1, block.data(), static_cast<int>(block.size())) != 1 ||
      EVP_CipherFinal_ex(ctx.get(), out.data() + n1, &n2) != 1 ||
      static_cast<std::size_t>(n1) + static_cast<std::size_t>(n2) != kAesBlockLen) {
    return fail(CtapStatus::kOther);
  }
  return out;
}

Result<void> check_cbc(ByteSpan key, ByteSpan iv, ByteSpan data) {
  VFIDO_TRY(check_key_iv(key, iv, kAesBlockLen));
  // CTAP 2.1 §6.5.6: without padding only whole blocks can be processed.
  if (data.size() % kAesBlockLen != 0 || data.size() > kMaxInput) return fail(CtapStatus::kInvalidLength);
  return {};
}

}  // namespace

Result<Bytes> aes256_cbc_encrypt(ByteSpan key, ByteSpan iv, ByteSpan plaintext) {
  VFIDO_TRY(check_cbc(key, iv, plaintext));
  Bytes out(plaintext.size());
  if (plaintext.empty()) return out;
  VFIDO_TRY(cbc(true, key, iv, plaintext, out));
  return out;
}

Result<SecretBytes> aes256_cbc_decrypt(ByteSpan key, ByteSpan iv, ByteSpan ciphertext) {
  VFIDO_TRY(check_cbc(key, iv, ciphertext));
  SecretBytes out(ciphertext.size());
  if (ciphertext.empty()) return out;
  VFIDO_TRY(cbc(false, key, iv, ciphertext, out.expose_mut()));
  return out;
}

Result<Bytes> aes256_gcm_seal(ByteSpan key, ByteSpan nonce, ByteSpan plaintext, ByteSpan aad) {
  VFIDO_TRY(check_key_iv(key, nonce, kGcmNonceLen));
  if (plaintext.size() > kMaxInput || aad.size() > kMaxInput) return fail(CtapStatus::kInvalidLength);
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return fail(CtapStatus::kOther);
  // SP 800-38D §5.2.1.1: a 96-bit IV is the recommended (and OpenSSL's default) length.
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), nonce.data()) != 1) {
    return fail(CtapStatus::kOther);
  }
  int n = 0;
  if (!aad.empty() && EVP_EncryptUpdate(ctx.get(), nullptr, &n, aad.data(), static_cast<int>(aad.size())) != 1) {
    return fail(CtapStatus::kOther);
  }
  Bytes out(plaintext.size() + kGcmTagLen);
  int n1 = 0;
  if (!plaintext.empty() &&
      EVP_EncryptUpdate(ctx.get(), out.data(), &n1, plaintext.data(), static_cast<int>(plaintext.size())) != 1) {
    return fail(CtapStatus::kOther);
  }
  int n2 = 0;
  if (EVP_EncryptFinal_ex(ctx.get(), out.data() + n1, &n2) != 1 ||
      static_cast<std::size_t>(n1) + static_cast<std::size_t>(n2) != plaintext.size()) {
    return fail(CtapStatus::kOther);
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kGcmTagLen),
                          out.data() + plaintext.size()) != 1) {
    return fail(CtapStatus::kOther);
  }
  return out;
}

Result<SecretBytes> aes256_gcm_open(ByteSpan key, ByteSpan nonce, ByteSpan sealed, ByteSpan aad) {
  VFIDO_TRY(check_key_iv(key, nonce, kGcmNonceLen));
  // Shorter than a tag: nothing can be authenticated.
  if (sealed.size() < kGcmTagLen) return fail(CtapStatus::kIntegrityFailure);
  if (sealed.size() > kMaxInput || aad.size() > kMaxInput) return fail(CtapStatus::kInvalidLength);
  ByteSpan ciphertext = sealed.first(sealed.size() - kGcmTagLen);
  ByteSpan tag = sealed.last(kGcmTagLen);

  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return fail(CtapStatus::kOther);
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), nonce.data()) != 1) {
    return fail(CtapStatus::kOther);
  }
  int n = 0;
  if (!aad.empty() && EVP_DecryptUpdate(ctx.get(), nullptr, &n, aad.data(), static_cast<int>(aad.size())) != 1) {
    return fail(CtapStatus::kOther);
  }
  SecretBytes out(ciphertext.size());
  int n1 = 0;
  if (!ciphertext.empty() && EVP_DecryptUpdate(ctx.get(), out.expose_mut().data(), &n1, ciphertext.data(),
                                               static_cast<int>(ciphertext.size())) != 1) {
    return fail(CtapStatus::kOther);
  }
  // The expected tag must be set before the final call, which compares it in constant time.
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kGcmTagLen),
                          const_cast<std::uint8_t*>(tag.data())) != 1) {
    return fail(CtapStatus::kOther);
  }
  int n2 = 0;
  // SP 800-38D §7.2 step 8: on a tag mismatch no plaintext is released (`out` is wiped by its
  // destructor).
  if (EVP_DecryptFinal_ex(ctx.get(), out.expose_mut().data() + n1, &n2) != 1) {
    return fail(CtapStatus::kIntegrityFailure);
  }
  if (static_cast<std::size_t>(n1) + static_cast<std::size_t>(n2) != ciphertext.size()) {
    return fail(CtapStatus::kOther);
  }
  return out;
}

Result<ByteArray<kAesBlockLen>> aes256_encrypt_block(ByteSpan key, ByteSpan block) {
  return one_block(true, key, block);
}

Result<ByteArray<kAesBlockLen>> aes256_decrypt_block(ByteSpan key, ByteSpan block) {
  return one_block(false, key, block);
}

}  // namespace vfido::crypto
