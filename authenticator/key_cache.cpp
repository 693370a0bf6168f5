#include "authenticator/key_cache.h"

#include <algorithm>

#include "authenticator/crypto/hash.h"

namespace vfido {

Result<const crypto::PrivateKey*> KeyCache::get(const CredentialRecord& cred) {
  ++clock_;
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->id != cred.id) continue;
    const crypto::PrivateKey& k = it->key;
    if (k.cose_alg() == cred.alg && k.public_bytes() == cred.public_key &&
        crypto::equal_ct(k.private_bytes().expose(), cred.private_key.expose())) {
      it->last_use = clock_;
      return &it->key;
    }
    entries_.erase(it);  // the record changed under this ID (reset, import): load it again
    break;
  }
  auto key = crypto::PrivateKey::from_bytes(cred.alg, cred.private_key.expose(), cred.public_key);
  if (!key) return fail(key.error());
  if (entries_.size() >= capacity_) {
    auto oldest = std::min_element(entries_.begin(), entries_.end(),
                                   [](const Entry& a, const Entry& b) { return a.last_use < b.last_use; });
    entries_.erase(oldest);
  }
  entries_.push_back(Entry{cred.id, std::move(*key), clock_});
  return &entries_.back().key;
}

}  // namespace vfido
