// Loaded credential keys. Importing a stored P-256 key into OpenSSL 3 (EVP_PKEY_fromdata, with
// its on-curve check) costs about as much as the ECDSA signature it is loaded for, so the core
// keeps the most recently used keys loaded: a repeated sign-in with one credential costs one
// signature. A cached key is used only while the stored record still holds the same algorithm,
// public key and private key (compared in constant time); anything else is loaded afresh.
// Entries are wiped when evicted, on clear() (authenticatorReset) and on destruction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "authenticator/credential_store.h"
#include "authenticator/crypto/keys.h"

namespace vfido {

class KeyCache {
 public:
  static constexpr std::size_t kDefaultCapacity = 32;

  explicit KeyCache(std::size_t capacity = kDefaultCapacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // The key of `cred`, loaded now or earlier. The pointer is valid until the next call.
  // Fails with kInvalidParameter when the stored key material is malformed.
  Result<const crypto::PrivateKey*> get(const CredentialRecord& cred);

  void clear() { entries_.clear(); }
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    Bytes id;
    crypto::PrivateKey key;
    std::uint64_t last_use = 0;
  };
  std::size_t capacity_;
  std::uint64_t clock_ = 0;  // use counter for least-recently-used eviction
  std::vector<Entry> entries_;
};

}  // namespace vfido
