// KeyCache (authenticator/key_cache.h): a loaded key is reused only while the stored record
// still holds the same key material; least recently used keys are evicted first.
#include <doctest/doctest.h>

#include "authenticator/crypto/hash.h"
#include "authenticator/crypto/keys.h"
#include "authenticator/env/rng.h"
#include "authenticator/key_cache.h"

namespace {

using vfido::CredentialRecord;
using vfido::KeyCache;
using vfido::SeededRng;
namespace crypto = vfido::crypto;
namespace cose = vfido::cose;

CredentialRecord record(std::int64_t alg, vfido::Bytes id, SeededRng& rng) {
  auto key = crypto::PrivateKey::generate(alg, rng);
  REQUIRE(key);
  CredentialRecord r;
  r.id = std::move(id);
  r.alg = alg;
  r.private_key = key->private_bytes().clone();
  r.public_key = key->public_bytes();
  return r;
}

}  // namespace

TEST_CASE("key_cache: a second use of the same record returns the same loaded key") {
  SeededRng rng(7);
  KeyCache cache;
  const CredentialRecord a = record(cose::kAlgEs256, {1}, rng);
  auto first = cache.get(a);
  REQUIRE(first);
  auto second = cache.get(a);
  REQUIRE(second);
  CHECK(*first == *second);
  CHECK(cache.size() == 1);
  CHECK((*second)->public_bytes() == a.public_key);
}

TEST_CASE("key_cache: a record whose key changed under the same ID is loaded afresh") {
  SeededRng rng(8);
  KeyCache cache;
  const CredentialRecord a = record(cose::kAlgEs256, {1}, rng);
  REQUIRE(cache.get(a));
  SUBCASE("new key pair, same ID") {
    const CredentialRecord b = record(cose::kAlgEs256, {1}, rng);
    auto k = cache.get(b);
    REQUIRE(k);
    CHECK((*k)->public_bytes() == b.public_key);
  }
  SUBCASE("same public key, other private key: not served from the cache") {
    CredentialRecord changed = a.clone();
    const CredentialRecord other = record(cose::kAlgEs256, {2}, rng);
    changed.private_key = other.private_key.clone();
    auto k = cache.get(changed);
    REQUIRE(k);
    CHECK(crypto::equal_ct((*k)->private_bytes().expose(), other.private_key.expose()));
  }
  SUBCASE("other algorithm, same ID") {
    const CredentialRecord e = record(cose::kAlgEdDsa, {1}, rng);
    auto k = cache.get(e);
    REQUIRE(k);
    CHECK((*k)->cose_alg() == cose::kAlgEdDsa);
  }
  CHECK(cache.size() == 1);
}

TEST_CASE("key_cache: the least recently used key is evicted at capacity") {
  SeededRng rng(9);
  KeyCache cache(2);
  const CredentialRecord a = record(cose::kAlgEdDsa, {1}, rng);
  const CredentialRecord b = record(cose::kAlgEdDsa, {2}, rng);
  const CredentialRecord c = record(cose::kAlgEdDsa, {3}, rng);
  auto ka = cache.get(a);
  REQUIRE(ka);
  REQUIRE(cache.get(b));
  REQUIRE(cache.get(a));  // a is now the most recent
  REQUIRE(cache.get(c));  // evicts b
  CHECK(cache.size() == 2);
  for (const auto* r : {&a, &b, &c}) {
    auto k = cache.get(*r);
    REQUIRE(k);
    CHECK((*k)->public_bytes() == r->public_key);
  }
  cache.clear();
  CHECK(cache.size() == 0);
}

TEST_CASE("key_cache: malformed key material is an error and is not cached") {
  SeededRng rng(10);
  KeyCache cache;
  CredentialRecord bad = record(cose::kAlgEs256, {1}, rng);
  bad.public_key[10] ^= 0x01;  // no longer on the curve
  CHECK(cache.get(bad).error() == vfido::CtapStatus::kInvalidParameter);
  CHECK(cache.size() == 0);
}
