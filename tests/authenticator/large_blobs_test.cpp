// authenticatorLargeBlobs (CTAP 2.1 §6.10): reads, fragmented writes, the pinUvAuthParam with
// the lbw permission, the integrity check, every status; and the largeBlobKey extension
// (§12.3) that gives platforms the keys for the array's entries.
#include <doctest/doctest.h>

#include "tests/support/ctap21_requests.h"

using namespace vfido;
using namespace vfido::test;
using pin_uv_auth::ProtocolId;
namespace perm = pin_uv_auth::permission;

namespace {

std::size_t max_fragment(const Authenticator& a) { return a.profile().max_msg_size - 64; }

// Reads the whole array in fragments of `n` bytes, as a platform does.
Bytes read_array(Authenticator& a, std::size_t n) {
  Bytes out;
  for (;;) {
    Reply r = send_large_blobs(a, large_blobs_get(out.size(), n));
    REQUIRE(r.status == CtapStatus::kOk);
    const Bytes& chunk = r.at(0x01).as_bytes();
    out.insert(out.end(), chunk.begin(), chunk.end());
    if (chunk.size() < n) return out;
  }
}

// Writes `array` in fragments of at most `n` bytes; returns the status of the first failure.
CtapStatus write_array(Authenticator& a, const Bytes& array, std::size_t n,
                       const std::optional<PuatParam>& auth = std::nullopt) {
  for (std::size_t off = 0; off < array.size(); off += n) {
    const std::size_t len = std::min(n, array.size() - off);
    Reply r = send_large_blobs(a, large_blobs_set(off, ByteSpan(array).subspan(off, len),
                                                  off == 0 ? std::optional<std::uint64_t>(array.size()) : std::nullopt,
                                                  auth));
    if (r.status != CtapStatus::kOk) return r.status;
    CHECK(r.raw.size() == 1);  // a set answers the status alone
  }
  return CtapStatus::kOk;
}

}  // namespace

TEST_CASE("large_blobs: a new key holds the empty array and its hash") {
  TestDevice d;
  Reply r = send_large_blobs(d.auth, large_blobs_get(0, 100));
  REQUIRE(r.status == CtapStatus::kOk);
  // CBOR [] followed by LEFT(SHA-256(0x80), 16), the value ctap-reference §3.8 gives.
  CHECK(to_hex(r.at(0x01).as_bytes()) == "8076be8b528d0075f7aae98d6fa57a6d3c");
}

TEST_CASE("large_blobs: get reads a window of the array") {
  TestDevice d;
  Bytes array = large_blob_array_of(30);  // ~3 KB: three fragments
  REQUIRE(array.size() > 2 * max_fragment(d.auth));
  REQUIRE(write_array(d.auth, array, max_fragment(d.auth)) == CtapStatus::kOk);
  CHECK(read_array(d.auth, max_fragment(d.auth)) == array);
  CHECK(read_array(d.auth, 7) == array);
  SUBCASE("a short read at the end, an empty one at the very end") {
    Reply r = send_large_blobs(d.auth, large_blobs_get(array.size() - 5, 100));
    REQUIRE(r.status == CtapStatus::kOk);
    CHECK(r.at(0x01).as_bytes() == Bytes(array.end() - 5, array.end()));
    r = send_large_blobs(d.auth, large_blobs_get(array.size(), 100));
    REQUIRE(r.status == CtapStatus::kOk);
    CHECK(r.at(0x01).as_bytes().empty());
  }
  SUBCASE("an offset beyond the end is INVALID_PARAMETER") {
    CHECK(send_large_blobs(d.auth, large_blobs_get(array.size() + 1, 1)).status == CtapStatus::kInvalidParameter);
  }
  SUBCASE("a get of maxFragmentLength is fine, one more byte is INVALID_LENGTH") {
    CHECK(send_large_blobs(d.auth, large_blobs_get(0, max_fragment(d.auth))).status == CtapStatus::kOk);
    CHECK(send_large_blobs(d.auth, large_blobs_get(0, max_fragment(d.auth) + 1)).status == CtapStatus::kInvalidLength);
  }
}

TEST_CASE("large_blobs: parameter rules (§6.10.2 steps 1-4)") {
  TestDevice d;
  const Bytes array = large_blob_array_of(1);
  auto status = [&](const cbor::Value& m) { return send_large_blobs(d.auth, m).status; };
  SUBCASE("no offset") {
    cbor::Value m = cbor::Value::map();
    m.set(0x01, cbor::Value::uint(10));
    CHECK(status(m) == CtapStatus::kInvalidParameter);
  }
  SUBCASE("neither get nor set") {
    cbor::Value m = cbor::Value::map();
    m.set(0x03, cbor::Value::uint(0));
    CHECK(status(m) == CtapStatus::kInvalidParameter);
  }
  SUBCASE("both get and set") {
    cbor::Value m = large_blobs_set(0, array, array.size());
    m.set(0x01, cbor::Value::uint(10));
    CHECK(status(m) == CtapStatus::kInvalidParameter);
  }
  SUBCASE("get with length, pinUvAuthParam or pinUvAuthProtocol") {
    for (int key : {0x04, 0x05, 0x06}) {
      CAPTURE(key);
      cbor::Value m = large_blobs_get(0, 10);
      m.set(key, key == 0x05 ? cbor::Value::bytes(Bytes(16, 1)) : cbor::Value::uint(1));
      CHECK(status(m) == CtapStatus::kInvalidParameter);
    }
  }
  SUBCASE("wrong types") {
    cbor::Value m = large_blobs_get(0, 10);
    put(m, 0x03, cbor::Value::text("0"));
    CHECK(status(m) == CtapStatus::kCborUnexpectedType);
    cbor::Value s = cbor::Value::map();
    s.set(0x02, cbor::Value::text("not bytes"));
    s.set(0x03, cbor::Value::uint(0));
    CHECK(status(s) == CtapStatus::kCborUnexpectedType);
    cbor::Value g = large_blobs_get(0, 10);
    put(g, 0x01, cbor::Value::integer(-1));
    CHECK(status(g) == CtapStatus::kCborUnexpectedType);
  }
  SUBCASE("not CBOR") { CHECK(call(d.auth, Bytes{0x0C, 0xA1, 0x01}).status == CtapStatus::kInvalidCbor); }
}

TEST_CASE("large_blobs: set rules (§6.10.2 step 5)") {
  TestDevice d;
  const std::size_t maxf = max_fragment(d.auth);
  const Bytes array = large_blob_array_of(20);
  REQUIRE(array.size() > maxf);
  const Bytes before = d.auth.device_state().large_blob_array;
  auto set = [&](std::uint64_t off, ByteSpan frag, std::optional<std::uint64_t> len) {
    return send_large_blobs(d.auth, large_blobs_set(off, frag, len)).status;
  };
  SUBCASE("a fragment longer than maxFragmentLength") {
    CHECK(set(0, ByteSpan(array).first(maxf + 1), array.size()) == CtapStatus::kInvalidLength);
  }
  SUBCASE("offset 0 without length") { CHECK(set(0, ByteSpan(array).first(10), std::nullopt) == CtapStatus::kInvalidParameter); }
  SUBCASE("length above maxSerializedLargeBlobArray") {
    const std::uint64_t max = d.auth.profile().max_serialized_large_blob_array;
    CHECK(set(0, ByteSpan(array).first(10), max + 1) == CtapStatus::kLargeBlobStorageFull);
  }
  SUBCASE("length below 17") { CHECK(set(0, ByteSpan(array).first(10), 16) == CtapStatus::kInvalidParameter); }
  SUBCASE("length with a later fragment") {
    REQUIRE(set(0, ByteSpan(array).first(100), array.size()) == CtapStatus::kOk);
    CHECK(set(100, ByteSpan(array).subspan(100, 100), array.size()) == CtapStatus::kInvalidParameter);
  }
  SUBCASE("an offset that is not where the last fragment ended") {
    REQUIRE(set(0, ByteSpan(array).first(100), array.size()) == CtapStatus::kOk);
    CHECK(set(101, ByteSpan(array).subspan(101, 10), std::nullopt) == CtapStatus::kInvalidSeq);
    CHECK(set(99, ByteSpan(array).subspan(99, 10), std::nullopt) == CtapStatus::kInvalidSeq);
    // The write is still open at 100.
    CHECK(set(100, ByteSpan(array).subspan(100, 10), std::nullopt) == CtapStatus::kOk);
  }
  SUBCASE("a non-zero offset with no write under way") {
    CHECK(set(100, ByteSpan(array).subspan(100, 10), std::nullopt) == CtapStatus::kInvalidSeq);
  }
  SUBCASE("a fragment beyond the announced length") {
    REQUIRE(set(0, ByteSpan(array).first(100), 150) == CtapStatus::kOk);
    CHECK(set(100, ByteSpan(array).subspan(100, 51), std::nullopt) == CtapStatus::kInvalidParameter);
  }
  SUBCASE("a wrong trailing hash is INTEGRITY_FAILURE; the write is over") {
    Bytes bad = array;
    bad[bad.size() - 1] ^= 0x01;
    CHECK(write_array(d.auth, bad, maxf) == CtapStatus::kIntegrityFailure);
    CHECK(set(bad.size(), ByteSpan(bad).first(1), std::nullopt) == CtapStatus::kInvalidSeq);
  }
  SUBCASE("a corrupted body is INTEGRITY_FAILURE too") {
    Bytes bad = array;
    bad[3] ^= 0x80;
    CHECK(write_array(d.auth, bad, maxf) == CtapStatus::kIntegrityFailure);
  }
  SUBCASE("an unfinished write leaves the array alone; a new offset-0 write starts over") {
    REQUIRE(set(0, ByteSpan(array).first(100), array.size()) == CtapStatus::kOk);
    CHECK(read_array(d.auth, maxf) == before);
    const Bytes small = large_blob_array_of(2);
    REQUIRE(write_array(d.auth, small, maxf) == CtapStatus::kOk);
    CHECK(read_array(d.auth, maxf) == small);
    return;
  }
  SUBCASE("a power cycle ends the write") {
    REQUIRE(set(0, ByteSpan(array).first(100), array.size()) == CtapStatus::kOk);
    d.auth.power_cycle();
    CHECK(set(100, ByteSpan(array).subspan(100, 10), std::nullopt) == CtapStatus::kInvalidSeq);
  }
  SUBCASE("other commands in between do not end it") {
    REQUIRE(set(0, ByteSpan(array).first(100), array.size()) == CtapStatus::kOk);
    REQUIRE(call(d.auth, message(CtapCommand::kGetInfo)).status == CtapStatus::kOk);
    REQUIRE(send_large_blobs(d.auth, large_blobs_get(0, 10)).status == CtapStatus::kOk);
    CHECK(set(100, ByteSpan(array).subspan(100, array.size() - 100), std::nullopt) == CtapStatus::kOk);
    CHECK(read_array(d.auth, maxf) == array);
    return;
  }
  // Nothing above committed anything.
  CHECK(d.auth.device_state().large_blob_array == before);
}

TEST_CASE("large_blobs: a write is committed whole and saved") {
  TestDevice d;
  const Bytes array = large_blob_array_of(5);
  const std::size_t saves = d.t.state.saves();
  REQUIRE(write_array(d.auth, array, 100) == CtapStatus::kOk);
  CHECK(d.t.state.saves() == saves + 1);  // one save, at the end
  auto saved = DeviceState::decode(*d.t.state.saved());
  REQUIRE(saved.has_value());
  CHECK(saved->large_blob_array == array);
  // The smallest array there is: empty again.
  REQUIRE(write_array(d.auth, initial_large_blob_array(), 100) == CtapStatus::kOk);
  CHECK(d.auth.device_state().large_blob_array == initial_large_blob_array());
}

TEST_CASE("large_blobs: a failed save keeps the old array") {
  TestDevice d;
  const Bytes before = d.auth.device_state().large_blob_array;
  d.t.state.fail_saves(true);
  CHECK(write_array(d.auth, large_blob_array_of(2), 1000) == CtapStatus::kOther);
  CHECK(d.auth.device_state().large_blob_array == before);
  d.t.state.fail_saves(false);
  CHECK(read_array(d.auth, 1000) == before);
}

TEST_CASE("large_blobs: with a PIN every fragment needs a token with lbw") {
  TestDevice d;
  PinPlatform host(d.auth, each_protocol());
  REQUIRE(host.set_pin("1234") == CtapStatus::kOk);
  const Bytes array = large_blob_array_of(20);
  const std::size_t maxf = max_fragment(d.auth);
  auto t = host.token("1234", perm::kLbw);
  REQUIRE(t.status == CtapStatus::kOk);
  const PuatParam auth{host, t.token};
  auto first = [&](const std::optional<PuatParam>& a) {
    return send_large_blobs(d.auth, large_blobs_set(0, ByteSpan(array).first(100), array.size(), a)).status;
  };

  SUBCASE("no pinUvAuthParam") { CHECK(first(std::nullopt) == CtapStatus::kPuatRequired); }
  SUBCASE("no pinUvAuthProtocol") {
    cbor::Value m = large_blobs_set(0, ByteSpan(array).first(100), array.size(), auth);
    std::erase_if(m.as_map(), [](const auto& kv) { return kv.first == cbor::Value::integer(0x06); });
    CHECK(send_large_blobs(d.auth, m).status == CtapStatus::kMissingParameter);
  }
  SUBCASE("an unsupported pinUvAuthProtocol") {
    cbor::Value m = large_blobs_set(0, ByteSpan(array).first(100), array.size(), auth);
    put(m, 0x06, cbor::Value::uint(3));
    CHECK(send_large_blobs(d.auth, m).status == CtapStatus::kInvalidParameter);
  }
  SUBCASE("a parameter from another token") {
    CHECK(first(PuatParam{host, Bytes(32, 0x42)}) == CtapStatus::kPinAuthInvalid);
  }
  SUBCASE("a parameter over another offset") {
    REQUIRE(first(auth) == CtapStatus::kOk);
    cbor::Value m = large_blobs_set(100, ByteSpan(array).subspan(100, 100), std::nullopt, auth);
    cbor::Value other = large_blobs_set(200, ByteSpan(array).subspan(100, 100), std::nullopt, auth);
    put(m, 0x05, *other.find(0x05));
    CHECK(send_large_blobs(d.auth, m).status == CtapStatus::kPinAuthInvalid);
  }
  SUBCASE("a token without lbw") {
    auto mc = host.token("1234", perm::kMc, "example.com");
    REQUIRE(mc.status == CtapStatus::kOk);
    CHECK(first(PuatParam{host, mc.token}) == CtapStatus::kPinAuthInvalid);
  }
  SUBCASE("a token with lbw writes, in fragments") {
    REQUIRE(write_array(d.auth, array, maxf, auth) == CtapStatus::kOk);
    CHECK(read_array(d.auth, maxf) == array);  // reads need no token
  }
  SUBCASE("lbw outlives the makeCredential that consumes the other permissions (§6.5.2.1)") {
    auto both = host.token("1234", perm::kMc | perm::kLbw, "example.com");
    REQUIRE(both.status == CtapStatus::kOk);
    MakeCredentialArgs a;
    a.rk = true;
    a.pin_uv_auth_param = host.param(both.token, a.client_data_hash);
    a.pin_uv_auth_protocol = host.protocol_number();
    register_credential(d.auth, a);
    CHECK(call(d.auth, make_credential_msg(a)).status == CtapStatus::kPinAuthInvalid);  // mc is spent
    CHECK(write_array(d.auth, array, maxf, PuatParam{host, both.token}) == CtapStatus::kOk);
  }
}

TEST_CASE("large_blobs: alwaysUv without a PIN needs a pinUvAuthParam too") {
  AuthenticatorProfile p;
  p.always_uv = true;
  TestDevice d(p);
  const Bytes array = large_blob_array_of(1);
  CHECK(send_large_blobs(d.auth, large_blobs_set(0, array, array.size())).status == CtapStatus::kPuatRequired);
  // Reads are open.
  CHECK(send_large_blobs(d.auth, large_blobs_get(0, 10)).status == CtapStatus::kOk);
}

TEST_CASE("large_blobs: unknown to a profile without largeBlobs; lbw is then refused") {
  AuthenticatorProfile p;
  p.large_blobs = false;
  std::erase(p.extensions, std::string("largeBlobKey"));
  TestDevice d(p);
  CHECK(send_large_blobs(d.auth, large_blobs_get(0, 10)).status == CtapStatus::kInvalidCommand);
  CHECK(info_option(d.auth, "largeBlobs") == std::nullopt);
  PinPlatform host(d.auth);
  REQUIRE(host.set_pin("1234") == CtapStatus::kOk);
  CHECK(host.token("1234", perm::kLbw).status == CtapStatus::kUnauthorizedPermission);
}

TEST_CASE("large_blobs: getInfo advertises largeBlobs and maxSerializedLargeBlobArray") {
  TestDevice d;
  CHECK(info_option(d.auth, "largeBlobs") == true);
  Reply info = call(d.auth, message(CtapCommand::kGetInfo));
  CHECK(info.at(0x0B).as_uint() == d.auth.profile().max_serialized_large_blob_array);
  CHECK(d.auth.profile().max_serialized_large_blob_array >= 1024);
}

TEST_CASE("large_blobs: the largeBlobKey extension gives a discoverable credential its key") {
  TestDevice d;
  cbor::Value ext = cbor::Value::map();
  ext.set("largeBlobKey", cbor::Value::boolean(true));
  MakeCredentialArgs mc;
  mc.rk = true;
  mc.extensions = ext;
  Reply made = call(d.auth, make_credential_msg(mc));
  REQUIRE(made.status == CtapStatus::kOk);
  const Bytes key = made.at(0x05).as_bytes();  // §12.3: response key 0x05, not in authData
  CHECK(key.size() == 32);
  GetAssertionArgs ga;
  ga.extensions = ext;
  Reply got = call(d.auth, get_assertion_msg(ga));
  REQUIRE(got.status == CtapStatus::kOk);
  CHECK(got.at(0x07).as_bytes() == key);  // response key 0x07
  // Without the input, no key.
  ga.extensions = std::nullopt;
  CHECK_FALSE(call(d.auth, get_assertion_msg(ga)).has(0x07));
  // Another credential, another key.
  mc.user_id = {9, 9, 9};
  Reply other = call(d.auth, make_credential_msg(mc));
  REQUIRE(other.status == CtapStatus::kOk);
  CHECK(other.at(0x05).as_bytes() != key);
}
