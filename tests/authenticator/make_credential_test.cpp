#include <doctest/doctest.h>

#include "authenticator/crypto/hash.h"
#include "authenticator/crypto/keys.h"
#include "tests/support/test_env.h"

using namespace vfido;
using namespace vfido::test;

namespace {

cbor::Value without(cbor::Value m, const cbor::Value& key) {
  auto& e = m.as_map();
  std::erase_if(e, [&](const auto& kv) { return kv.first == key; });
  return m;
}
cbor::Value without(cbor::Value m, std::int64_t key) { return without(std::move(m), cbor::Value::integer(key)); }
cbor::Value without(cbor::Value m, std::string_view key) { return without(std::move(m), cbor::Value::text(key)); }

cbor::Value with(cbor::Value m, const cbor::Value& key, cbor::Value v) {
  m = without(std::move(m), key);
  m.set(key, std::move(v));
  return m;
}
cbor::Value with(cbor::Value m, std::int64_t key, cbor::Value v) {
  return with(std::move(m), cbor::Value::integer(key), std::move(v));
}
cbor::Value with(cbor::Value m, std::string_view key, cbor::Value v) {
  return with(std::move(m), cbor::Value::text(key), std::move(v));
}

CtapStatus mc_status(const cbor::Value& params) {
  TestDevice d;
  Reply r = call(d.auth, message(CtapCommand::kMakeCredential, params));
  if (r.status != CtapStatus::kOk) CHECK(r.raw.size() == 1);  // an error is the status byte alone
  return r.status;
}

const cbor::Value& member(const cbor::Value& m, std::int64_t key) {
  const cbor::Value* v = m.find(key);
  REQUIRE(v != nullptr);
  return *v;
}

}  // namespace

TEST_CASE("make_credential: parse errors answer the exact status") {
  const cbor::Value ok = make_credential_params({});
  const cbor::Value user = member(ok, 3);
  const cbor::Value rp = member(ok, 2);

  CHECK(mc_status(ok) == CtapStatus::kOk);
  SUBCASE("no_cdh") { CHECK(mc_status(without(ok, 1)) == CtapStatus::kMissingParameter); }
  SUBCASE("cdh of 31 and 33 bytes") {
    CHECK(mc_status(with(ok, 1, cbor::Value::bytes(filled(31, 1)))) == CtapStatus::kInvalidLength);
    CHECK(mc_status(with(ok, 1, cbor::Value::bytes(filled(33, 1)))) == CtapStatus::kInvalidLength);
  }
  SUBCASE("cdh as text") {
    CHECK(mc_status(with(ok, 1, cbor::Value::text("hash"))) == CtapStatus::kCborUnexpectedType);
  }
  SUBCASE("no_rp") { CHECK(mc_status(without(ok, 2)) == CtapStatus::kMissingParameter); }
  SUBCASE("rp not a map") { CHECK(mc_status(with(ok, 2, cbor::Value::text("example.com"))) == CtapStatus::kCborUnexpectedType); }
  SUBCASE("rp without id") { CHECK(mc_status(with(ok, 2, without(rp, "id"))) == CtapStatus::kMissingParameter); }
  SUBCASE("junk_rp_id") {
    CHECK(mc_status(with(ok, 2, with(rp, "id", cbor::Value::bytes(filled(3, 'a'))))) == CtapStatus::kCborUnexpectedType);
  }
  SUBCASE("no_user") { CHECK(mc_status(without(ok, 3)) == CtapStatus::kMissingParameter); }
  SUBCASE("user without id") { CHECK(mc_status(with(ok, 3, without(user, "id"))) == CtapStatus::kMissingParameter); }
  SUBCASE("user.id as text") {
    CHECK(mc_status(with(ok, 3, with(user, "id", cbor::Value::text("alice")))) == CtapStatus::kCborUnexpectedType);
  }
  SUBCASE("user.id empty") {
    CHECK(mc_status(with(ok, 3, with(user, "id", cbor::Value::bytes(Bytes{})))) == CtapStatus::kInvalidLength);
  }
  SUBCASE("user.id of 65 bytes; 64 is fine") {
    CHECK(mc_status(with(ok, 3, with(user, "id", cbor::Value::bytes(filled(65, 7))))) == CtapStatus::kInvalidLength);
    CHECK(mc_status(with(ok, 3, with(user, "id", cbor::Value::bytes(filled(64, 7))))) == CtapStatus::kOk);
  }
  SUBCASE("user.name as integer") {
    CHECK(mc_status(with(ok, 3, with(user, "name", cbor::Value::uint(5)))) == CtapStatus::kCborUnexpectedType);
  }
  SUBCASE("no pubKeyCredParams") { CHECK(mc_status(without(ok, 4)) == CtapStatus::kMissingParameter); }
  SUBCASE("pubKeyCredParams not an array") {
    CHECK(mc_status(with(ok, 4, cbor::Value::map())) == CtapStatus::kCborUnexpectedType);
  }
  SUBCASE("pubKeyCredParams entry not a map") {
    cbor::Array a;
    a.push_back(cbor::Value::integer(-7));
    CHECK(mc_status(with(ok, 4, cbor::Value::array(std::move(a)))) == CtapStatus::kCborUnexpectedType);
  }
  SUBCASE("pubKeyCredParams entry without alg") {
    cbor::Value e = cbor::Value::map();
    e.set("type", cbor::Value::text("public-key"));
    cbor::Array a;
    a.push_back(std::move(e));
    CHECK(mc_status(with(ok, 4, cbor::Value::array(std::move(a)))) == CtapStatus::kMissingParameter);
  }
  SUBCASE("pubKeyCredParams alg as text") {
    cbor::Value e = cbor::Value::map();
    e.set("alg", cbor::Value::text("ES256"));
    e.set("type", cbor::Value::text("public-key"));
    cbor::Array a;
    a.push_back(std::move(e));
    CHECK(mc_status(with(ok, 4, cbor::Value::array(std::move(a)))) == CtapStatus::kCborUnexpectedType);
  }
  SUBCASE("empty pubKeyCredParams") {
    CHECK(mc_status(with(ok, 4, cbor::Value::array())) == CtapStatus::kUnsupportedAlgorithm);
  }
  SUBCASE("only unsupported algorithms") {
    CHECK(mc_status(with(ok, 4, alg_params({-36, -35}))) == CtapStatus::kUnsupportedAlgorithm);  // ES512, ES384
  }
  SUBCASE("a supported alg under an unknown type does not count") {
    cbor::Value e = cbor::Value::map();
    e.set("alg", cbor::Value::integer(cose::kAlgEs256));
    e.set("type", cbor::Value::text("future-type"));
    cbor::Array a;
    a.push_back(std::move(e));
    CHECK(mc_status(with(ok, 4, cbor::Value::array(std::move(a)))) == CtapStatus::kUnsupportedAlgorithm);
  }
  SUBCASE("excludeList not an array") {
    CHECK(mc_status(with(ok, 5, cbor::Value::map())) == CtapStatus::kCborUnexpectedType);
  }
  SUBCASE("excludeList descriptor without id") {
    cbor::Array a;
    a.push_back(without(descriptor(filled(32, 1)), "id"));
    CHECK(mc_status(with(ok, 5, cbor::Value::array(std::move(a)))) == CtapStatus::kMissingParameter);
  }
  SUBCASE("options not a map") {
    CHECK(mc_status(with(ok, 7, cbor::Value::boolean(true))) == CtapStatus::kCborUnexpectedType);
  }
  SUBCASE("option up as integer") {
    cbor::Value opts = cbor::Value::map();
    opts.set("up", cbor::Value::uint(1));
    CHECK(mc_status(with(ok, 7, std::move(opts))) == CtapStatus::kCborUnexpectedType);
  }
  SUBCASE("extensions not a map") {
    CHECK(mc_status(with(ok, 6, cbor::Value::array())) == CtapStatus::kCborUnexpectedType);
  }
  SUBCASE("parameters not a map") {
    CHECK(mc_status(cbor::Value::array()) == CtapStatus::kCborUnexpectedType);
  }
}

TEST_CASE("make_credential: undecodable parameters are INVALID_CBOR") {
  TestDevice d;
  Bytes good = make_credential_msg({});
  SUBCASE("malformed: truncated") {
    Bytes truncated(good.begin(), good.end() - 3);
    CHECK(call(d.auth, truncated).status == CtapStatus::kInvalidCbor);
  }
  SUBCASE("trailing bytes") {
    Bytes trailing = good;
    trailing.push_back(0x00);
    CHECK(call(d.auth, trailing).status == CtapStatus::kInvalidCbor);
  }
  SUBCASE("unsorted_keys") {
    // {2: {"id": "x"}, 1: h'00..'}: key 2 before key 1.
    Bytes msg = {0x01, 0xA2, 0x02, 0xA1, 0x62, 'i', 'd', 0x61, 'x', 0x01, 0x58, 0x20};
    msg.insert(msg.end(), 32, 0x00);
    CHECK(call(d.auth, msg).status == CtapStatus::kInvalidCbor);
  }
  SUBCASE("duplicate_keys") {
    Bytes msg = {0x01, 0xA2, 0x01, 0x41, 0x00, 0x01, 0x41, 0x00};
    CHECK(call(d.auth, msg).status == CtapStatus::kInvalidCbor);
  }
  SUBCASE("no parameters at all") { CHECK(call(d.auth, Bytes{0x01}).status == CtapStatus::kInvalidCbor); }
}

TEST_CASE("make_credential: registers with packed self attestation") {
  std::int64_t alg = 0;
  SUBCASE("ES256") { alg = cose::kAlgEs256; }
  SUBCASE("EdDSA") { alg = cose::kAlgEdDsa; }
  CAPTURE(alg);
  TestDevice d;
  MakeCredentialArgs args;
  args.algs = {alg};
  Reply r = call(d.auth, make_credential_msg(args));
  REQUIRE(r.status == CtapStatus::kOk);
  CHECK(r.at(1).as_text() == "packed");
  const Bytes& raw = r.at(2).as_bytes();

  // WebAuthn §6.1 layout, byte by byte.
  REQUIRE(raw.size() > 32 + 1 + 4 + 16 + 2 + 32);
  const auto rp_hash = crypto::sha256(as_span("example.com"));
  CHECK(Bytes(raw.begin(), raw.begin() + 32) == Bytes(rp_hash.begin(), rp_hash.end()));
  CHECK(raw[32] == 0x41);  // UP | AT
  CHECK(Bytes(raw.begin() + 33, raw.begin() + 37) == Bytes{0, 0, 0, 0});  // signCount 0
  CHECK(to_hex(ByteSpan(raw).subspan(37, 16)) == "3d92011fb552406db13763434ee000d5");
  CHECK(raw[53] == 0x00);
  CHECK(raw[54] == 32);  // credentialIdLength
  const Bytes id(raw.begin() + 55, raw.begin() + 87);
  auto cose_key = cbor::decode(ByteSpan(raw).subspan(87));  // nothing follows: no ED
  REQUIRE(cose_key.has_value());
  CHECK(cose_key->find(3)->as_int64() == alg);
  if (alg == cose::kAlgEs256) {
    CHECK(cose_key->find(1)->as_int64() == cose::kKtyEc2);
    CHECK(cose_key->find(-1)->as_int64() == cose::kCrvP256);
    CHECK(cose_key->find(-2)->as_bytes().size() == 32);
    CHECK(cose_key->find(-3)->as_bytes().size() == 32);
  } else {
    CHECK(cose_key->find(1)->as_int64() == cose::kKtyOkp);
    CHECK(cose_key->find(-1)->as_int64() == cose::kCrvEd25519);
    CHECK(cose_key->find(-2)->as_bytes().size() == 32);
  }

  // The parser agrees.
  auto ad = AuthenticatorData::parse(raw);
  REQUIRE(ad.has_value());
  CHECK(ad->flags == 0x41);
  CHECK(ad->attested->credential_id == id);
  CHECK(ad->attested->public_key == *cose_key);

  // Packed self attestation: {"alg": credential alg, "sig"}, no x5c, verifiable with the
  // credential's own key over authData || clientDataHash.
  const cbor::Value& stmt = r.at(3);
  REQUIRE(stmt.as_map().size() == 2);
  CHECK(stmt.find("alg")->as_int64() == alg);
  const Bytes& sig = stmt.find("sig")->as_bytes();
  CHECK(crypto::verify_signature(*cose_key, concat(raw, args.client_data_hash), sig));
  Bytes tampered = concat(raw, args.client_data_hash);
  tampered.back() ^= 0x01;
  CHECK_FALSE(crypto::verify_signature(*cose_key, tampered, sig));

  // The store holds a non-discoverable credential without user.
  auto stored = d.t.store.find("example.com", id);
  REQUIRE(stored.has_value());
  REQUIRE(stored->has_value());
  CHECK_FALSE((*stored)->discoverable);
  CHECK((*stored)->user.id.empty());
  CHECK((*stored)->alg == alg);
}

TEST_CASE("make_credential: attestation none") {
  AuthenticatorProfile p;
  p.attestation = AttestationMode::kNone;
  TestDevice d(p);
  Reply r = call(d.auth, make_credential_msg({}));
  REQUIRE(r.status == CtapStatus::kOk);
  CHECK(r.at(1).as_text() == "none");
  CHECK(r.at(3).is_map());
  CHECK(r.at(3).as_map().empty());
}

TEST_CASE("make_credential: picks the first of the RP's algorithms that is supported") {
  TestDevice d;
  MakeCredentialArgs args;
  args.algs = {-35, cose::kAlgEdDsa, cose::kAlgEs256};  // ES384 (unsupported) first
  Registered reg = register_credential(d.auth, args);
  CHECK(reg.public_key.find(3)->as_int64() == cose::kAlgEdDsa);
}

TEST_CASE("make_credential: options") {
  SUBCASE("up=false is INVALID_OPTION") {
    TestDevice d;
    MakeCredentialArgs a;
    a.up = false;
    CHECK(call(d.auth, make_credential_msg(a)).status == CtapStatus::kInvalidOption);
  }
  SUBCASE("uv=true is INVALID_OPTION (no built-in UV)") {
    TestDevice d;
    MakeCredentialArgs a;
    a.uv = true;
    CHECK(call(d.auth, make_credential_msg(a)).status == CtapStatus::kInvalidOption);
  }
  SUBCASE("up=true and uv=false are accepted") {
    TestDevice d;
    MakeCredentialArgs a;
    a.up = true;
    a.uv = false;
    CHECK(call(d.auth, make_credential_msg(a)).status == CtapStatus::kOk);
  }
  SUBCASE("rk=true without resident key support is UNSUPPORTED_OPTION") {
    AuthenticatorProfile p;
    p.resident_keys = false;
    p.cred_mgmt = false;  // credential management needs discoverable credentials
    p.large_blobs = false;  // largeBlobs needs discoverable credentials
    std::erase(p.extensions, std::string("largeBlobKey"));
    TestDevice d(p);
    MakeCredentialArgs a;
    a.rk = true;
    CHECK(call(d.auth, make_credential_msg(a)).status == CtapStatus::kUnsupportedOption);
    a.rk = false;
    CHECK(call(d.auth, make_credential_msg(a)).status == CtapStatus::kOk);
  }
  SUBCASE("unknown option keys are ignored") {
    TestDevice d;
    cbor::Value params = make_credential_params({});
    params.set(7, options_map({{"futureOption", true}, {"plat", false}}));
    CHECK(call(d.auth, message(CtapCommand::kMakeCredential, params)).status == CtapStatus::kOk);
  }
  SUBCASE("rk=true stores a discoverable credential with the user entity") {
    TestDevice d;
    MakeCredentialArgs a;
    a.rk = true;
    Registered reg = register_credential(d.auth, a);
    auto stored = d.t.store.find("example.com", reg.id);
    REQUIRE(stored.has_value());
    REQUIRE(stored->has_value());
    CHECK((*stored)->discoverable);
    CHECK((*stored)->user.id == a.user_id);
    CHECK((*stored)->user.name == "alice");
    CHECK((*stored)->rp_name == "Example RP");
  }
}

TEST_CASE("make_credential: pinUvAuthParam without clientPin support") {
  TestDevice d(ctap20_profile());
  cbor::Value params = make_credential_params({});
  SUBCASE("zero-length probe without protocol is MISSING_PARAMETER") {
    params.set(8, cbor::Value::bytes(Bytes{}));
    CHECK(call(d.auth, message(CtapCommand::kMakeCredential, params)).status == CtapStatus::kMissingParameter);
  }
  SUBCASE("zero-length probe with protocol 1 is INVALID_PARAMETER") {
    params.set(8, cbor::Value::bytes(Bytes{}));
    params.set(9, cbor::Value::uint(1));
    CHECK(call(d.auth, message(CtapCommand::kMakeCredential, params)).status == CtapStatus::kInvalidParameter);
  }
  SUBCASE("a 32-byte param with protocol 2 is INVALID_PARAMETER") {
    params.set(8, cbor::Value::bytes(filled(32, 9)));
    params.set(9, cbor::Value::uint(2));
    CHECK(call(d.auth, message(CtapCommand::kMakeCredential, params)).status == CtapStatus::kInvalidParameter);
  }
  CHECK(d.t.store.size() == 0);
}

TEST_CASE("make_credential: enterpriseAttestation is INVALID_PARAMETER") {
  TestDevice d;
  cbor::Value params = make_credential_params({});
  params.set(0x0A, cbor::Value::uint(1));
  CHECK(call(d.auth, message(CtapCommand::kMakeCredential, params)).status == CtapStatus::kInvalidParameter);
}

TEST_CASE("make_credential: extensions a profile does not list are ignored") {
  TestDevice d(ctap20_profile());
  cbor::Value params = make_credential_params({});
  cbor::Value ext = cbor::Value::map();
  ext.set("credProtect", cbor::Value::uint(2));
  ext.set("unknownExt", cbor::Value::boolean(true));
  params.set(6, std::move(ext));
  Reply r = call(d.auth, message(CtapCommand::kMakeCredential, params));
  REQUIRE(r.status == CtapStatus::kOk);
  CHECK(r.at(2).as_bytes()[32] == 0x41);  // no ED flag
}

TEST_CASE("make_credential: rejects excluded credential") {
  TestDevice d({}, PresenceMode::kScripted);
  d.t.scripted.push(ScriptedPresence::Step::kApprove);
  Registered reg = register_credential(d.auth, {});
  REQUIRE(d.t.scripted.history().size() == 1);

  MakeCredentialArgs again;
  again.user_id = {9, 9};
  again.exclude = {filled(32, 0xEE), reg.id};
  SUBCASE("user touches: CREDENTIAL_EXCLUDED") {
    d.t.scripted.push(ScriptedPresence::Step::kApprove);
    CHECK(call(d.auth, make_credential_msg(again)).status == CtapStatus::kCredentialExcluded);
  }
  SUBCASE("user declines: still CREDENTIAL_EXCLUDED") {
    d.t.scripted.push(ScriptedPresence::Step::kDeny);
    CHECK(call(d.auth, make_credential_msg(again)).status == CtapStatus::kCredentialExcluded);
  }
  SUBCASE("no answer until the timeout: still CREDENTIAL_EXCLUDED") {
    LaterSink sink;
    CHECK_FALSE(d.auth.handle(make_credential_msg(again), sink.fn()).has_value());
    d.t.clock.advance(d.auth.profile().up_timeout_ms);
    d.auth.poll();
    REQUIRE(sink.calls == 1);
    CHECK(sink.last == Bytes{0x19});
    CHECK_FALSE(d.t.scripted.pending());
  }
  // Presence was asked first, for the exclusion, and nothing new was stored.
  REQUIRE(d.t.scripted.history().size() == 2);
  CHECK(d.t.scripted.history()[1].purpose == PresenceRequest::Purpose::kExcluded);
  CHECK(d.t.scripted.history()[1].rp_id == "example.com");
  CHECK(d.t.store.size() == 1);
}

TEST_CASE("make_credential: excludeList entries of other RPs or not ours do not exclude") {
  TestDevice d;
  Registered other = register_credential(d.auth, MakeCredentialArgs{.rp_id = "other.example"});
  MakeCredentialArgs a;
  a.exclude = {other.id, filled(16, 1)};
  CHECK(call(d.auth, make_credential_msg(a)).status == CtapStatus::kOk);
}

TEST_CASE("make_credential: an excludeList longer than maxCredentialCountInList is processed whole") {
  TestDevice d;
  Registered reg = register_credential(d.auth, {});
  MakeCredentialArgs a;
  for (std::uint8_t i = 0; i < 12; ++i) a.exclude.push_back(filled(32, i));
  a.exclude.push_back(reg.id);  // the 13th entry, beyond maxCredentialCountInList = 8
  CHECK(call(d.auth, make_credential_msg(a)).status == CtapStatus::kCredentialExcluded);
}

TEST_CASE("make_credential: denied presence is OPERATION_DENIED") {
  TestDevice d({}, PresenceMode::kScripted);
  d.t.scripted.push(ScriptedPresence::Step::kDeny);
  CHECK(call(d.auth, make_credential_msg({})).status == CtapStatus::kOperationDenied);
  REQUIRE(d.t.scripted.history().size() == 1);
  CHECK(d.t.scripted.history()[0].purpose == PresenceRequest::Purpose::kMakeCredential);
  CHECK(d.t.scripted.history()[0].user_name == "alice");
  CHECK(d.t.store.size() == 0);
}

TEST_CASE("make_credential: held presence completes later, exactly once") {
  TestDevice d({}, PresenceMode::kScripted);
  LaterSink sink;
  auto out = d.auth.handle(make_credential_msg({}), sink.fn());
  CHECK_FALSE(out.has_value());
  CHECK(d.auth.waiting_for_user());
  CHECK(d.t.scripted.pending());
  CHECK(d.t.store.size() == 0);  // nothing created before the touch
  d.auth.poll();                 // not timed out yet
  CHECK(sink.calls == 0);

  SUBCASE("approved") {
    REQUIRE(d.t.scripted.resolve(PresenceResult::kApproved));
    REQUIRE(sink.calls == 1);
    Reply r = decode_reply(sink.last);
    CHECK(r.status == CtapStatus::kOk);
    CHECK(r.at(2).as_bytes()[32] == 0x41);
    CHECK(d.t.store.size() == 1);
  }
  SUBCASE("denied") {
    REQUIRE(d.t.scripted.resolve(PresenceResult::kDenied));
    REQUIRE(sink.calls == 1);
    CHECK(sink.last == Bytes{0x27});
    CHECK(d.t.store.size() == 0);
  }
  CHECK_FALSE(d.auth.waiting_for_user());
  d.auth.cancel();  // nothing pending: no second reply
  d.t.clock.advance(60000);
  d.auth.poll();
  CHECK(sink.calls == 1);
  // The device serves the next request.
  CHECK(call(d.auth, message(CtapCommand::kGetInfo)).status == CtapStatus::kOk);
}

TEST_CASE("make_credential: a request while waiting for the user is USER_ACTION_PENDING") {
  TestDevice d({}, PresenceMode::kScripted);
  LaterSink sink;
  REQUIRE_FALSE(d.auth.handle(make_credential_msg({}), sink.fn()).has_value());
  Reply busy = call(d.auth, message(CtapCommand::kGetInfo));
  CHECK(busy.status == CtapStatus::kUserActionPending);
  CHECK(d.auth.waiting_for_user());
  REQUIRE(d.t.scripted.resolve(PresenceResult::kApproved));
  REQUIRE(sink.calls == 1);
  CHECK(sink.last[0] == 0x00);
}

TEST_CASE("make_credential: cancel answers KEEPALIVE_CANCEL") {
  TestDevice d({}, PresenceMode::kScripted);
  LaterSink sink;
  REQUIRE_FALSE(d.auth.handle(make_credential_msg({}), sink.fn()).has_value());
  d.auth.cancel();
  REQUIRE(sink.calls == 1);
  CHECK(sink.last == Bytes{0x2D});
  CHECK_FALSE(d.auth.waiting_for_user());
  CHECK_FALSE(d.t.scripted.pending());                         // the request was withdrawn
  CHECK_FALSE(d.t.scripted.resolve(PresenceResult::kApproved));  // a late touch goes nowhere
  CHECK(sink.calls == 1);
  CHECK(d.t.store.size() == 0);
}

TEST_CASE("make_credential: no touch within up_timeout_ms is USER_ACTION_TIMEOUT") {
  TestDevice d({}, PresenceMode::kScripted);
  LaterSink sink;
  REQUIRE_FALSE(d.auth.handle(make_credential_msg({}), sink.fn()).has_value());
  d.t.clock.advance(d.auth.profile().up_timeout_ms - 1);
  d.auth.poll();
  CHECK(sink.calls == 0);
  d.t.clock.advance(1);
  d.auth.poll();
  REQUIRE(sink.calls == 1);
  CHECK(sink.last == Bytes{0x2F});
  CHECK_FALSE(d.auth.waiting_for_user());
  CHECK_FALSE(d.t.scripted.pending());
  CHECK(d.t.store.size() == 0);
}

TEST_CASE("make_credential: a discoverable credential with the same user.id replaces the old one") {
  TestDevice d;
  MakeCredentialArgs a;
  a.rk = true;
  Registered first = register_credential(d.auth, a);
  a.user_name = "alice-renamed";
  Registered second = register_credential(d.auth, a);
  CHECK(first.id != second.id);
  auto list = d.t.store.list_discoverable();
  REQUIRE(list.has_value());
  REQUIRE(list->size() == 1);
  CHECK((*list)[0].id == second.id);
  CHECK((*list)[0].user.name == "alice-renamed");
  auto old = d.t.store.find("example.com", first.id);
  REQUIRE(old.has_value());
  CHECK_FALSE(old->has_value());
  // Another user of the same RP, and the same user.id at another RP, are separate.
  MakeCredentialArgs bob = a;
  bob.user_id = {0xB0};
  register_credential(d.auth, bob);
  MakeCredentialArgs elsewhere = a;
  elsewhere.rp_id = "other.example";
  register_credential(d.auth, elsewhere);
  CHECK(d.t.store.list_discoverable()->size() == 3);
}

TEST_CASE("make_credential: key store full is KEY_STORE_FULL") {
  TestDevice d({}, PresenceMode::kAutoApprove, 1);
  MakeCredentialArgs a;
  a.rk = true;
  register_credential(d.auth, a);
  MakeCredentialArgs b = a;
  b.user_id = {0x42};
  CHECK(call(d.auth, make_credential_msg(b)).status == CtapStatus::kKeyStoreFull);
  // Replacing the same user still fits, and non-discoverable credentials do not use slots.
  CHECK(call(d.auth, make_credential_msg(a)).status == CtapStatus::kOk);
  b.rk = false;
  CHECK(call(d.auth, make_credential_msg(b)).status == CtapStatus::kOk);
}

TEST_CASE("make_credential: BE/BS come from the profile") {
  AuthenticatorProfile p;
  p.backup_eligible = true;
  SUBCASE("BE only") {
    TestDevice d(p);
    Registered reg = register_credential(d.auth, {});
    CHECK(reg.auth_data.flags == (0x41 | 0x08));
  }
  SUBCASE("BE and BS") {
    p.backup_state = true;
    TestDevice d(p);
    Registered reg = register_credential(d.auth, {});
    CHECK(reg.auth_data.flags == (0x41 | 0x08 | 0x10));
  }
}

TEST_CASE("make_credential: the same seed gives the same credential") {
  TestDevice a;
  TestDevice b;
  Registered ra = register_credential(a.auth, {});
  Registered rb = register_credential(b.auth, {});
  CHECK(ra.id == rb.id);
  CHECK(ra.public_key == rb.public_key);
}
