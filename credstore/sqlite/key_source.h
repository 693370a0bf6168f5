// Where the key that protects a store file comes from: a passphrase (stretched with scrypt,
// whose salt and parameters the file keeps) or a key file of 32 random bytes. Either way it
// yields the store's key-encryption key (KEK), which unwraps the file's random data key; a
// wrong passphrase or key file fails that unwrap (store_file.cpp).
#pragma once

#include <cstdint>
#include <string>

#include <tl/expected.hpp>

#include "authenticator/bytes.h"
#include "authenticator/crypto/scrypt.h"
#include "authenticator/crypto/secret.h"

namespace vfido::credstore::sqlite {

inline constexpr std::size_t kKeyFileLen = 32;

class KeySource {
 public:
  enum class Kind : std::uint8_t { kPassphrase, kKeyFile };

  // The first line of the file, without its line ending. Errors name the file: missing,
  // unreadable, empty passphrase.
  static tl::expected<KeySource, std::string> from_passphrase_file(const std::string& path);
  // A key file holds 32 bytes, raw or as 64 hex digits (a trailing newline is allowed). It must
  // not be readable by group or others (like ssh's private keys). With `create_if_missing`, a
  // missing file is created with 32 random bytes and mode 0600.
  static tl::expected<KeySource, std::string> from_key_file(const std::string& path, bool create_if_missing);

  // For tests and programs that hold the secret already.
  static KeySource passphrase(std::string_view passphrase);
  static KeySource key(ByteSpan key32);

  Kind kind() const { return kind_; }
  // "passphrase from FILE", "key file FILE", ...: for error messages.
  const std::string& origin() const { return origin_; }
  // Whether a key file was created by from_key_file (so the caller can say so).
  bool created() const { return created_; }

  // The 32-byte KEK for a store with this salt (and, for passphrases, scrypt parameters).
  tl::expected<crypto::SecretBytes, std::string> derive_kek(ByteSpan salt, const crypto::ScryptParams& params) const;

  KeySource clone() const;

 private:
  KeySource(Kind kind, crypto::SecretBytes secret, std::string origin)
      : kind_(kind), secret_(std::move(secret)), origin_(std::move(origin)) {}
  Kind kind_;
  crypto::SecretBytes secret_;
  std::string origin_;
  bool created_ = false;
};

std::string_view key_kind_name(KeySource::Kind kind);  // "passphrase" / "key file"

}  // namespace vfido::credstore::sqlite
