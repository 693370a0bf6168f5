// authenticatorCredentialManagement (CTAP 2.1 §6.8) and its FIDO_2_1_PRE prototype (0x41):
// every subcommand and every error through handle(), with tokens from the platform-side PIN
// helper, both PIN/UV auth protocols, the RP binding of tokens, and the enumeration state.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "authenticator/crypto/hash.h"
#include "authenticator/crypto/keys.h"
#include "tests/support/pin_platform.h"

using namespace vfido;
using namespace vfido::test;
using pin_uv_auth::ProtocolId;
namespace perm = pin_uv_auth::permission;

namespace {

constexpr std::uint64_t kMetadata = 0x01;
constexpr std::uint64_t kRpsBegin = 0x02;
constexpr std::uint64_t kRpsNext = 0x03;
constexpr std::uint64_t kCredsBegin = 0x04;
constexpr std::uint64_t kCredsNext = 0x05;
constexpr std::uint64_t kDelete = 0x06;
constexpr std::uint64_t kUpdate = 0x07;

const char* const kPin = "1234";

Bytes rp_hash(std::string_view rp_id) {
  auto d = crypto::sha256(as_span(rp_id));
  return Bytes(d.begin(), d.end());
}

// Sets `key` of map `m` to `v`, replacing an earlier value (cbor::Value::set appends).
void put(cbor::Value& m, std::int64_t key, cbor::Value v) {
  std::erase_if(m.as_map(), [&](const auto& kv) { return kv.first == cbor::Value::integer(key); });
  m.set(key, std::move(v));
}

cbor::Value rp_hash_params(std::string_view rp_id) {
  cbor::Value m = cbor::Value::map();
  m.set(0x01, cbor::Value::bytes(rp_hash(rp_id)));
  return m;
}

cbor::Value credential_params(const Bytes& id) {
  cbor::Value m = cbor::Value::map();
  m.set(0x02, descriptor(id));
  return m;
}

cbor::Value user_map(const Bytes& id, std::optional<std::string> name, std::optional<std::string> display) {
  cbor::Value u = cbor::Value::map();
  u.set("id", cbor::Value::bytes(id));
  if (name) u.set("name", cbor::Value::text(*name));
  if (display) u.set("displayName", cbor::Value::text(*display));
  return u;
}

// The platform side of credentialManagement: request maps with pinUvAuthParam =
// authenticate(token, subCommand || CBOR(subCommandParams)) (CTAP 2.1 §6.8).
class CredMan {
 public:
  CredMan(Authenticator& auth, PinPlatform& pin, CtapCommand cmd = CtapCommand::kCredentialManagement)
      : auth_(auth), pin_(pin), cmd_(cmd) {}

  void use_token(Bytes token) { token_ = std::move(token); }
  void use_command(CtapCommand cmd) { cmd_ = cmd; }
  const Bytes& token() const { return token_; }

  // The request map; `authenticated`: with pinUvAuthProtocol and pinUvAuthParam.
  cbor::Value request(std::uint64_t sub, const std::optional<cbor::Value>& params = std::nullopt,
                      bool authenticated = true) const {
    cbor::Value m = cbor::Value::map();
    m.set(0x01, cbor::Value::uint(sub));
    if (params) m.set(0x02, *params);
    if (authenticated) {
      m.set(0x03, cbor::Value::uint(pin_.protocol_number()));
      m.set(0x04, cbor::Value::bytes(pin_.param(token_, signed_message(sub, params))));
    }
    return m;
  }

  static Bytes signed_message(std::uint64_t sub, const std::optional<cbor::Value>& params) {
    Bytes msg{static_cast<std::uint8_t>(sub)};
    if (params) {
      auto body = cbor::encode(*params);
      REQUIRE(body.has_value());
      msg.insert(msg.end(), body->begin(), body->end());
    }
    return msg;
  }

  Reply send(const cbor::Value& m) const { return call(auth_, message(cmd_, m)); }
  Reply run(std::uint64_t sub, const std::optional<cbor::Value>& params = std::nullopt) const {
    return send(request(sub, params, sub != kRpsNext && sub != kCredsNext));
  }

 private:
  Authenticator& auth_;
  PinPlatform& pin_;
  CtapCommand cmd_;
  Bytes token_;
};

// A device with a PIN and a cm token; discoverable credentials are made before the PIN is set,
// as an unprotected key makes them without user verification.
struct Fixture {
  explicit Fixture(ProtocolId p = ProtocolId::kTwo, AuthenticatorProfile profile = {})
      : d(std::move(profile)), pin(d.auth, p), cm(d.auth, pin) {}

  Registered make(std::string rp, std::string user, bool rk = true, std::optional<cbor::Value> ext = std::nullopt) {
    MakeCredentialArgs a;
    a.rp_id = std::move(rp);
    a.user_id = to_bytes("uid:" + user);
    a.user_name = std::move(user);
    a.rk = rk;
    a.extensions = std::move(ext);
    return register_credential(d.auth, a);
  }

  // Four discoverable credentials of three RPs: a.example (alice, carol), b.example, c.example.
  void make_sample() {
    make("a.example", "alice");
    make("b.example", "bob");
    make("a.example", "carol");
    make("c.example", "dave");
  }

  void protect(std::uint64_t permissions = perm::kCm, std::optional<std::string> rp_id = std::nullopt) {
    REQUIRE(pin.set_pin(kPin) == CtapStatus::kOk);
    new_token(permissions, std::move(rp_id));
  }

  void new_token(std::uint64_t permissions = perm::kCm, std::optional<std::string> rp_id = std::nullopt) {
    auto t = pin.token(kPin, permissions, std::move(rp_id));
    REQUIRE(t.status == CtapStatus::kOk);
    cm.use_token(t.token);
  }

  TestDevice d;
  PinPlatform pin;
  CredMan cm;
};

std::string text_at(const cbor::Value& map, std::string_view key) {
  const cbor::Value* v = map.find(key);
  REQUIRE_MESSAGE(v != nullptr, "missing ", key, " in ", cbor::diagnostic(map));
  return v->as_text();
}

// A discoverable credential written into the store directly, for what makeCredential cannot
// produce on this profile yet (a largeBlobKey, no rp.name).
Bytes inject(TestEnv& t, std::string rp, Bytes user_id, bool with_large_blob_key, std::optional<std::string> rp_name) {
  auto key = crypto::PrivateKey::generate(cose::kAlgEs256, t.rng);
  REQUIRE(key.has_value());
  CredentialRecord rec;
  rec.rp_id = std::move(rp);
  rec.rp_name = std::move(rp_name);
  rec.user = UserEntity{std::move(user_id), "injected", std::nullopt, std::nullopt};
  rec.alg = cose::kAlgEs256;
  rec.private_key = key->private_bytes().clone();
  rec.public_key = key->public_bytes();
  rec.discoverable = true;
  rec.cred_protect = 2;
  if (with_large_blob_key) rec.large_blob_key = crypto::SecretBytes(Bytes(32, 0x5c));
  auto id = t.store.create(std::move(rec), t.rng);
  REQUIRE(id.has_value());
  return *id;
}

}  // namespace

// ---- the command itself -----------------------------------------------------------------------

TEST_CASE("credential_management: unknown to a profile without credMgmt") {
  AuthenticatorProfile p;
  p.cred_mgmt = false;
  TestDevice d(p);
  for (auto cmd : {CtapCommand::kCredentialManagement, CtapCommand::kCredentialManagementPreview}) {
    CAPTURE(static_cast<int>(cmd));
    cbor::Value m = cbor::Value::map();
    m.set(0x01, cbor::Value::uint(kMetadata));
    CHECK(call(d.auth, message(cmd, m)).status == CtapStatus::kInvalidCommand);
  }
  Reply info = call(d.auth, message(CtapCommand::kGetInfo));
  CHECK(info.at(0x04).find("credMgmt") == nullptr);
  CHECK(info.at(0x04).find("credentialMgmtPreview") == nullptr);
}

TEST_CASE("credential_management: getInfo advertises credMgmt with FIDO_2_1, the prototype always") {
  SUBCASE("FIDO_2_1 (the default profile)") {
    TestDevice d;
    Reply info = call(d.auth, message(CtapCommand::kGetInfo));
    CHECK(info.at(0x04).find("credMgmt")->as_bool());
    CHECK(info.at(0x04).find("credentialMgmtPreview")->as_bool());
  }
  SUBCASE("FIDO_2_1_PRE only: 0x0A is not offered") {
    AuthenticatorProfile p;
    p.versions = {"FIDO_2_0", "FIDO_2_1_PRE"};
    p.pin_uv_auth_token = false;
    TestDevice d(p);
    Reply info = call(d.auth, message(CtapCommand::kGetInfo));
    CHECK(info.at(0x04).find("credMgmt") == nullptr);
    CHECK(info.at(0x04).find("credentialMgmtPreview")->as_bool());
    cbor::Value m = cbor::Value::map();
    m.set(0x01, cbor::Value::uint(kMetadata));
    CHECK(call(d.auth, message(CtapCommand::kCredentialManagement, m)).status == CtapStatus::kInvalidCommand);
    CHECK(call(d.auth, message(CtapCommand::kCredentialManagementPreview, m)).status == CtapStatus::kPuatRequired);
  }
}

TEST_CASE("credential_management: malformed requests answer the exact status") {
  TestDevice d;
  auto send = [&](const Bytes& msg) { return call(d.auth, msg).status; };
  const auto cmd = CtapCommand::kCredentialManagement;
  SUBCASE("not a map") {
    CHECK(send(message(cmd, cbor::Value::uint(1))) == CtapStatus::kCborUnexpectedType);
  }
  SUBCASE("no parameters at all") { CHECK(send(message(cmd)) == CtapStatus::kInvalidCbor); }
  SUBCASE("no subCommand") {
    cbor::Value m = cbor::Value::map();
    m.set(0x03, cbor::Value::uint(2));
    CHECK(send(message(cmd, m)) == CtapStatus::kMissingParameter);
  }
  SUBCASE("subCommand is text") {
    cbor::Value m = cbor::Value::map();
    m.set(0x01, cbor::Value::text("x"));
    CHECK(send(message(cmd, m)) == CtapStatus::kCborUnexpectedType);
  }
  SUBCASE("subCommandParams is an array") {
    cbor::Value m = cbor::Value::map();
    m.set(0x01, cbor::Value::uint(kCredsBegin));
    m.set(0x02, cbor::Value::array());
    CHECK(send(message(cmd, m)) == CtapStatus::kCborUnexpectedType);
  }
  SUBCASE("rpIDHash of 31 bytes") {
    cbor::Value p = cbor::Value::map();
    p.set(0x01, cbor::Value::bytes(Bytes(31, 1)));
    cbor::Value m = cbor::Value::map();
    m.set(0x01, cbor::Value::uint(kCredsBegin));
    m.set(0x02, p);
    CHECK(send(message(cmd, m)) == CtapStatus::kInvalidLength);
  }
  SUBCASE("credentialID without id") {
    cbor::Value desc = cbor::Value::map();
    desc.set("type", cbor::Value::text("public-key"));
    cbor::Value p = cbor::Value::map();
    p.set(0x02, desc);
    cbor::Value m = cbor::Value::map();
    m.set(0x01, cbor::Value::uint(kDelete));
    m.set(0x02, p);
    CHECK(send(message(cmd, m)) == CtapStatus::kMissingParameter);
  }
  SUBCASE("user.id of 65 bytes") {
    cbor::Value p = cbor::Value::map();
    p.set(0x02, descriptor(Bytes(16, 1)));
    p.set(0x03, user_map(Bytes(65, 1), "a", "b"));
    cbor::Value m = cbor::Value::map();
    m.set(0x01, cbor::Value::uint(kUpdate));
    m.set(0x02, p);
    CHECK(send(message(cmd, m)) == CtapStatus::kInvalidLength);
  }
  SUBCASE("pinUvAuthParam is text") {
    cbor::Value m = cbor::Value::map();
    m.set(0x01, cbor::Value::uint(kMetadata));
    m.set(0x04, cbor::Value::text("x"));
    CHECK(send(message(cmd, m)) == CtapStatus::kCborUnexpectedType);
  }
  // The key still works.
  CHECK(send(message(CtapCommand::kGetInfo)) == CtapStatus::kOk);
}

TEST_CASE("credential_management: unknown subcommands are INVALID_SUBCOMMAND") {
  Fixture f;
  f.protect();
  for (std::uint64_t sub : {std::uint64_t{0}, std::uint64_t{8}, std::uint64_t{0xFF}, std::uint64_t{0x101}}) {
    CAPTURE(sub);
    cbor::Value m = cbor::Value::map();
    m.set(0x01, cbor::Value::uint(sub));
    m.set(0x03, cbor::Value::uint(f.pin.protocol_number()));
    m.set(0x04, cbor::Value::bytes(f.pin.param(f.cm.token(), Bytes{static_cast<std::uint8_t>(sub)})));
    CHECK(f.cm.send(m).status == CtapStatus::kInvalidSubcommand);
  }
}

// ---- the pinUvAuthParam checks every authenticated subcommand shares ----------------------------

TEST_CASE("credential_management: pinUvAuthParam checks, for every authenticated subcommand") {
  const ProtocolId p = each_protocol();
  Fixture f(p);
  const Registered made = f.make("example.com", "alice");
  f.protect();

  struct Sub {
    std::uint64_t code;
    std::optional<cbor::Value> params;
  };
  cbor::Value update_params = credential_params(made.id);
  update_params.set(0x03, user_map(to_bytes("uid:alice"), "alice2", std::nullopt));
  const std::vector<Sub> subs = {
      {kMetadata, std::nullopt},           {kRpsBegin, std::nullopt},
      {kCredsBegin, rp_hash_params("example.com")}, {kDelete, credential_params(made.id)},
      {kUpdate, update_params},
  };
  for (const Sub& s : subs) {
    CAPTURE(s.code);
    cbor::Value good = f.cm.request(s.code, s.params);

    // No pinUvAuthParam -> PUAT_REQUIRED.
    cbor::Value m = f.cm.request(s.code, s.params, false);
    CHECK(f.cm.send(m).status == CtapStatus::kPuatRequired);
    // pinUvAuthParam without pinUvAuthProtocol -> MISSING_PARAMETER.
    m = good;
    std::erase_if(m.as_map(), [](const auto& kv) { return kv.first == cbor::Value::integer(0x03); });
    CHECK(f.cm.send(m).status == CtapStatus::kMissingParameter);
    // An unsupported protocol -> INVALID_PARAMETER.
    m = good;
    put(m, 0x03, cbor::Value::uint(3));
    CHECK(f.cm.send(m).status == CtapStatus::kInvalidParameter);
    // A flipped bit -> PIN_AUTH_INVALID.
    m = good;
    Bytes bad = good.find(0x04)->as_bytes();
    bad[0] ^= 0x01;
    put(m, 0x04, cbor::Value::bytes(bad));
    CHECK(f.cm.send(m).status == CtapStatus::kPinAuthInvalid);
    // Authenticated over other subCommandParams -> PIN_AUTH_INVALID.
    m = good;
    put(m, 0x04, cbor::Value::bytes(f.pin.param(f.cm.token(), Bytes{static_cast<std::uint8_t>(s.code)})));
    if (s.params) CHECK(f.cm.send(m).status == CtapStatus::kPinAuthInvalid);
  }
  // None of this changed anything: the credential is still there with its name.
  Reply r = f.cm.run(kCredsBegin, rp_hash_params("example.com"));
  REQUIRE(r.status == CtapStatus::kOk);
  CHECK(text_at(r.at(0x06), "name") == "alice");
}

TEST_CASE("credential_management: a token without cm is PIN_AUTH_INVALID") {
  Fixture f;
  f.make("example.com", "alice");
  f.protect(perm::kMc | perm::kGa);
  CHECK(f.cm.run(kMetadata).status == CtapStatus::kPinAuthInvalid);
  CHECK(f.cm.run(kRpsBegin).status == CtapStatus::kPinAuthInvalid);
  CHECK(f.cm.run(kCredsBegin, rp_hash_params("example.com")).status == CtapStatus::kPinAuthInvalid);
  SUBCASE("the legacy getPinToken of a pinUvAuthToken model has mc and ga only") {
    auto legacy = f.pin.token(kPin, std::nullopt);
    REQUIRE(legacy.status == CtapStatus::kOk);
    f.cm.use_token(legacy.token);
    CHECK(f.cm.run(kMetadata).status == CtapStatus::kPinAuthInvalid);
  }
}

TEST_CASE("credential_management: PUAT_REQUIRED comes first, even without a PIN; a param without a token fails") {
  Fixture f;
  CHECK(f.cm.run(kMetadata).status == CtapStatus::kPinAuthInvalid);  // a parameter, but no token exists
  CHECK(f.cm.send(f.cm.request(kMetadata, std::nullopt, false)).status == CtapStatus::kPuatRequired);
  // PUAT_REQUIRED before MISSING_PARAMETER for a subcommand that needs parameters.
  CHECK(f.cm.send(f.cm.request(kCredsBegin, std::nullopt, false)).status == CtapStatus::kPuatRequired);
}

TEST_CASE("credential_management: a token stops working when it expires") {
  Fixture f;
  f.make("example.com", "alice");
  f.protect();
  // Unused for longer than the initial usage time limit (CTAP 2.1 §6.5.2.1).
  f.d.t.clock.advance(f.d.auth.profile().pin_token_initial_usage_ms + 1);
  CHECK(f.cm.run(kMetadata).status == CtapStatus::kPinAuthInvalid);
  f.new_token();
  CHECK(f.cm.run(kMetadata).status == CtapStatus::kOk);
}

// ---- getCredsMetadata --------------------------------------------------------------------------

TEST_CASE("credential_management: getCredsMetadata counts discoverable credentials only") {
  const ProtocolId p = each_protocol();
  AuthenticatorProfile profile;
  Fixture f(p, profile);
  f.make("example.com", "alice");
  f.make("example.com", "bob");
  f.make("other.example", "carol");
  f.make("example.com", "server-side", false);  // not discoverable: not counted
  f.protect();
  for (auto cmd : {CtapCommand::kCredentialManagement, CtapCommand::kCredentialManagementPreview}) {
    CAPTURE(static_cast<int>(cmd));
    f.cm.use_command(cmd);
    Reply r = f.cm.run(kMetadata);
    REQUIRE(r.status == CtapStatus::kOk);
    CHECK(r.at(0x01).as_uint() == 3);
    CHECK(r.at(0x02).as_uint() == credstore::MemoryStore::kDefaultCapacity - 3);
  }
}

TEST_CASE("credential_management: getCredsMetadata on an empty key is zero, not an error") {
  Fixture f;
  f.protect();
  Reply r = f.cm.run(kMetadata);
  REQUIRE(r.status == CtapStatus::kOk);
  CHECK(r.at(0x01).as_uint() == 0);
  CHECK(r.at(0x02).as_uint() == credstore::MemoryStore::kDefaultCapacity);
}

TEST_CASE("credential_management: getCredsMetadata and enumerateRPsBegin refuse a token bound to an RP") {
  Fixture f;
  f.make("example.com", "alice");
  f.protect(perm::kCm, "example.com");
  CHECK(f.cm.run(kMetadata).status == CtapStatus::kPinAuthInvalid);
  CHECK(f.cm.run(kRpsBegin).status == CtapStatus::kPinAuthInvalid);
  // The same token may enumerate its own RP's credentials.
  CHECK(f.cm.run(kCredsBegin, rp_hash_params("example.com")).status == CtapStatus::kOk);
}

// ---- enumerateRPs ------------------------------------------------------------------------------

TEST_CASE("credential_management: enumerateRPs lists each RP once, with its ID hash and stored name") {
  const ProtocolId p = each_protocol();
  Fixture f(p);
  f.make("b.example", "alice");
  f.make("a.example", "bob");
  f.make("b.example", "carol");
  f.make("server.example", "dave", false);  // not discoverable: its RP is not listed
  inject(f.d.t, "c.example", to_bytes("uid:erin"), false, std::nullopt);  // no rp.name stored
  f.protect();

  Reply first = f.cm.run(kRpsBegin);
  REQUIRE(first.status == CtapStatus::kOk);
  REQUIRE(first.at(0x05).as_uint() == 3);
  std::vector<Reply> all{first};
  all.push_back(f.cm.run(kRpsNext));
  all.push_back(f.cm.run(kRpsNext));
  std::vector<std::string> ids;
  for (const Reply& r : all) {
    REQUIRE(r.status == CtapStatus::kOk);
    const std::string id = text_at(r.at(0x03), "id");
    CHECK(r.at(0x04).as_bytes() == rp_hash(id));
    if (id == "c.example") {
      CHECK(r.at(0x03).find("name") == nullptr);
    } else {
      CHECK(text_at(r.at(0x03), "name") == "Example RP");  // make_credential_params' rp.name
    }
    ids.push_back(id);
  }
  CHECK_FALSE(all[1].has(0x05));  // totalRPs only with Begin
  CHECK(ids == std::vector<std::string>{"a.example", "b.example", "c.example"});
  // Every RP went out: GetNext -> NOT_ALLOWED.
  CHECK(f.cm.run(kRpsNext).status == CtapStatus::kNotAllowed);
}

TEST_CASE("credential_management: enumerateRPsBegin without discoverable credentials is NO_CREDENTIALS") {
  Fixture f;
  f.make("example.com", "server-side", false);
  f.protect();
  CHECK(f.cm.run(kRpsBegin).status == CtapStatus::kNoCredentials);
  CHECK(f.cm.run(kRpsNext).status == CtapStatus::kNotAllowed);
}

// ---- enumerateCredentials ----------------------------------------------------------------------

TEST_CASE("credential_management: enumerateCredentials returns user, ID, public key, credProtect, newest first") {
  const ProtocolId p = each_protocol();
  Fixture f(p);
  cbor::Value protect3 = cbor::Value::map();
  protect3.set("credProtect", cbor::Value::uint(3));
  const Registered alice = f.make("example.com", "alice");
  const Registered bob = f.make("example.com", "bob", true, protect3);
  f.make("other.example", "carol");
  f.protect();

  Reply first = f.cm.run(kCredsBegin, rp_hash_params("example.com"));
  REQUIRE(first.status == CtapStatus::kOk);
  CHECK(first.at(0x09).as_uint() == 2);
  Reply second = f.cm.run(kCredsNext);
  REQUIRE(second.status == CtapStatus::kOk);
  CHECK_FALSE(second.has(0x09));  // totalCredentials only with Begin

  struct Want {
    const Registered& made;
    std::string name;
    std::uint64_t cred_protect;
  };
  const Want want[] = {{bob, "bob", 3}, {alice, "alice", 1}};  // newest first
  const Reply* got[] = {&first, &second};
  for (int i = 0; i < 2; ++i) {
    CAPTURE(i);
    const Reply& r = *got[i];
    const cbor::Value& user = r.at(0x06);
    CHECK(user.find("id")->as_bytes() == to_bytes("uid:" + want[i].name));
    CHECK(text_at(user, "name") == want[i].name);
    CHECK(text_at(user, "displayName") == want[i].name + " (display)");
    CHECK(r.at(0x07).find("id")->as_bytes() == want[i].made.id);
    CHECK(text_at(r.at(0x07), "type") == "public-key");
    CHECK(r.at(0x08) == want[i].made.public_key);  // the COSE_Key of makeCredential
    CHECK(r.at(0x0A).as_uint() == want[i].cred_protect);
    CHECK_FALSE(r.has(0x0B));  // no largeBlobKey
  }
  CHECK(f.cm.run(kCredsNext).status == CtapStatus::kNotAllowed);
}

TEST_CASE("credential_management: enumerateCredentials returns the largeBlobKey of a credential that has one") {
  Fixture f;
  const Bytes with = inject(f.d.t, "blob.example", to_bytes("uid:1"), true, "Blob RP");
  const Bytes without = inject(f.d.t, "blob.example", to_bytes("uid:2"), false, "Blob RP");
  f.protect();
  Reply first = f.cm.run(kCredsBegin, rp_hash_params("blob.example"));
  Reply second = f.cm.run(kCredsNext);
  REQUIRE(first.status == CtapStatus::kOk);
  REQUIRE(second.status == CtapStatus::kOk);
  CHECK(first.at(0x07).find("id")->as_bytes() == without);  // newest first
  CHECK_FALSE(first.has(0x0B));
  CHECK(second.at(0x07).find("id")->as_bytes() == with);
  CHECK(second.at(0x0B).as_bytes() == Bytes(32, 0x5c));
  CHECK(second.at(0x0A).as_uint() == 2);
}

TEST_CASE("credential_management: enumerateCredentialsBegin errors") {
  Fixture f;
  f.make("example.com", "alice");
  f.make("example.com", "server-side", false);
  SUBCASE("no credentials for the hash") {
    f.protect();
    CHECK(f.cm.run(kCredsBegin, rp_hash_params("nobody.example")).status == CtapStatus::kNoCredentials);
  }
  SUBCASE("only non-discoverable credentials") {
    f.make("server.example", "bob", false);
    f.protect();
    CHECK(f.cm.run(kCredsBegin, rp_hash_params("server.example")).status == CtapStatus::kNoCredentials);
  }
  SUBCASE("rpIDHash missing") {
    f.protect();
    CHECK(f.cm.run(kCredsBegin).status == CtapStatus::kMissingParameter);
    CHECK(f.cm.run(kCredsBegin, cbor::Value::map()).status == CtapStatus::kMissingParameter);
  }
  SUBCASE("a token bound to another RP") {
    f.protect(perm::kCm, "other.example");
    CHECK(f.cm.run(kCredsBegin, rp_hash_params("example.com")).status == CtapStatus::kPinAuthInvalid);
  }
  SUBCASE("a token bound to this RP") {
    f.protect(perm::kCm, "example.com");
    Reply r = f.cm.run(kCredsBegin, rp_hash_params("example.com"));
    REQUIRE(r.status == CtapStatus::kOk);
    CHECK(r.at(0x09).as_uint() == 1);
  }
}

// ---- the enumeration state ---------------------------------------------------------------------

TEST_CASE("credential_management: GetNext without its Begin is NOT_ALLOWED") {
  Fixture f;
  f.make_sample();
  f.protect();
  CHECK(f.cm.run(kRpsNext).status == CtapStatus::kNotAllowed);
  CHECK(f.cm.run(kCredsNext).status == CtapStatus::kNotAllowed);
  SUBCASE("a credential enumeration does not continue an RP enumeration, nor the reverse") {
    REQUIRE(f.cm.run(kRpsBegin).status == CtapStatus::kOk);
    CHECK(f.cm.run(kCredsNext).status == CtapStatus::kNotAllowed);
    CHECK(f.cm.run(kRpsNext).status == CtapStatus::kNotAllowed);  // ended by the subcommand above
    REQUIRE(f.cm.run(kCredsBegin, rp_hash_params("a.example")).status == CtapStatus::kOk);
    CHECK(f.cm.run(kRpsNext).status == CtapStatus::kNotAllowed);
    CHECK(f.cm.run(kCredsNext).status == CtapStatus::kNotAllowed);
  }
}

TEST_CASE("credential_management: any other command ends an enumeration") {
  Fixture f;
  f.make_sample();
  f.protect();
  struct Interruption {
    const char* what;
    Bytes msg;
  };
  const std::vector<Interruption> others = {
      {"getInfo", message(CtapCommand::kGetInfo)},
      {"getCredsMetadata", message(CtapCommand::kCredentialManagement, f.cm.request(kMetadata))},
      {"a message that does not parse", Bytes{static_cast<std::uint8_t>(CtapCommand::kCredentialManagement), 0xFF}},
      {"an unknown command", Bytes{0x55}},
      {"getNextAssertion", message(CtapCommand::kGetNextAssertion)},
  };
  for (const auto& other : others) {
    CAPTURE(other.what);
    REQUIRE(f.cm.run(kRpsBegin).status == CtapStatus::kOk);
    call(f.d.auth, other.msg);
    CHECK(f.cm.run(kRpsNext).status == CtapStatus::kNotAllowed);

    REQUIRE(f.cm.run(kCredsBegin, rp_hash_params("a.example")).status == CtapStatus::kOk);
    call(f.d.auth, other.msg);
    CHECK(f.cm.run(kCredsNext).status == CtapStatus::kNotAllowed);
  }
  // Uninterrupted, both continue.
  REQUIRE(f.cm.run(kRpsBegin).status == CtapStatus::kOk);
  CHECK(f.cm.run(kRpsNext).status == CtapStatus::kOk);
  REQUIRE(f.cm.run(kCredsBegin, rp_hash_params("a.example")).status == CtapStatus::kOk);
  CHECK(f.cm.run(kCredsNext).status == CtapStatus::kOk);
}

TEST_CASE("credential_management: an enumeration ends after 30 s idle, with its token, and at a power cycle") {
  Fixture f;
  f.make_sample();
  f.protect();
  SUBCASE("30 seconds idle") {
    REQUIRE(f.cm.run(kRpsBegin).status == CtapStatus::kOk);
    f.d.t.clock.advance(29000);
    REQUIRE(f.cm.run(kRpsNext).status == CtapStatus::kOk);  // each step restarts the timer
    f.d.t.clock.advance(30001);
    CHECK(f.cm.run(kRpsNext).status == CtapStatus::kNotAllowed);
  }
  SUBCASE("the token's maximum usage period") {
    REQUIRE(f.cm.run(kRpsBegin).status == CtapStatus::kOk);
    // Begin again every 29 s until 580 s; then, 25 s later, the token's 600 s are over while the
    // enumeration's own timer has not run out.
    for (int i = 0; i < 20; ++i) {
      f.d.t.clock.advance(29000);
      REQUIRE(f.cm.run(kRpsBegin).status == CtapStatus::kOk);
    }
    f.d.t.clock.advance(25000);
    // The token that authenticated the Begin stopped: its enumeration goes with it.
    CHECK(f.cm.run(kRpsNext).status == CtapStatus::kNotAllowed);
  }
  SUBCASE("power cycle") {
    REQUIRE(f.cm.run(kCredsBegin, rp_hash_params("a.example")).status == CtapStatus::kOk);
    REQUIRE(f.cm.run(kRpsBegin).status == CtapStatus::kOk);
    f.d.auth.power_cycle();
    CHECK(f.cm.run(kRpsNext).status == CtapStatus::kNotAllowed);
  }
}

TEST_CASE("credential_management: a credential removed during an enumeration is skipped") {
  Fixture f;
  const Registered a = f.make("example.com", "alice");
  f.make("example.com", "bob");
  f.make("example.com", "carol");
  f.protect();
  REQUIRE(f.cm.run(kCredsBegin, rp_hash_params("example.com")).status == CtapStatus::kOk);  // carol
  REQUIRE(f.d.t.store.remove(a.id).has_value());  // behind the core's back (a control API)
  Reply bob = f.cm.run(kCredsNext);
  REQUIRE(bob.status == CtapStatus::kOk);
  CHECK(text_at(bob.at(0x06), "name") == "bob");
  CHECK(f.cm.run(kCredsNext).status == CtapStatus::kNotAllowed);  // alice is gone
}

// ---- deleteCredential --------------------------------------------------------------------------

TEST_CASE("credential_management: deleteCredential removes one credential") {
  const ProtocolId p = each_protocol();
  Fixture f(p);
  const Registered alice = f.make("example.com", "alice");
  const Registered bob = f.make("example.com", "bob");
  f.protect();
  REQUIRE(f.cm.run(kDelete, credential_params(alice.id)).status == CtapStatus::kOk);
  CHECK(f.d.t.store.size() == 1);

  Reply meta = f.cm.run(kMetadata);
  CHECK(meta.at(0x01).as_uint() == 1);
  Reply left = f.cm.run(kCredsBegin, rp_hash_params("example.com"));
  REQUIRE(left.status == CtapStatus::kOk);
  CHECK(left.at(0x09).as_uint() == 1);
  CHECK(left.at(0x07).find("id")->as_bytes() == bob.id);
  // Deleting it again: NO_CREDENTIALS.
  CHECK(f.cm.run(kDelete, credential_params(alice.id)).status == CtapStatus::kNoCredentials);

  // The deleted credential no longer signs; the other one still does.
  GetAssertionArgs ga;
  ga.allow = {alice.id};
  ga.up = false;
  CHECK(call(f.d.auth, get_assertion_msg(ga)).status == CtapStatus::kNoCredentials);
  ga.allow = {bob.id};
  CHECK(call(f.d.auth, get_assertion_msg(ga)).status == CtapStatus::kOk);
}

TEST_CASE("credential_management: deleteCredential errors") {
  Fixture f;
  const Registered alice = f.make("example.com", "alice");
  const Registered server = f.make("example.com", "server-side", false);
  SUBCASE("an unknown ID") {
    f.protect();
    CHECK(f.cm.run(kDelete, credential_params(Bytes(32, 0x42))).status == CtapStatus::kNoCredentials);
  }
  SUBCASE("a non-discoverable credential is not managed") {
    f.protect();
    CHECK(f.cm.run(kDelete, credential_params(server.id)).status == CtapStatus::kNoCredentials);
    CHECK(f.d.t.store.size() == 2);
  }
  SUBCASE("a descriptor of another type") {
    f.protect();
    cbor::Value params = cbor::Value::map();
    params.set(0x02, descriptor(alice.id, "other-type"));
    CHECK(f.cm.run(kDelete, params).status == CtapStatus::kNoCredentials);
    CHECK(f.d.t.store.size() == 2);
  }
  SUBCASE("credentialID missing") {
    f.protect();
    CHECK(f.cm.run(kDelete).status == CtapStatus::kMissingParameter);
  }
  SUBCASE("a token bound to another RP, also for an unknown ID") {
    f.protect(perm::kCm, "other.example");
    CHECK(f.cm.run(kDelete, credential_params(alice.id)).status == CtapStatus::kPinAuthInvalid);
    CHECK(f.cm.run(kDelete, credential_params(Bytes(32, 0x42))).status == CtapStatus::kPinAuthInvalid);
    CHECK(f.d.t.store.size() == 2);
  }
  SUBCASE("a token bound to the credential's RP") {
    f.protect(perm::kCm, "example.com");
    CHECK(f.cm.run(kDelete, credential_params(alice.id)).status == CtapStatus::kOk);
    CHECK(f.d.t.store.size() == 1);
  }
}

// ---- updateUserInformation ---------------------------------------------------------------------

TEST_CASE("credential_management: updateUserInformation replaces name and displayName") {
  const ProtocolId p = each_protocol();
  Fixture f(p);
  const Registered alice = f.make("example.com", "alice");
  f.make("example.com", "bob");
  f.protect();

  auto update = [&](std::optional<std::string> name, std::optional<std::string> display) {
    cbor::Value params = credential_params(alice.id);
    params.set(0x03, user_map(to_bytes("uid:alice"), std::move(name), std::move(display)));
    return f.cm.run(kUpdate, params).status;
  };
  auto stored_user = [&]() {
    auto c = f.d.t.store.find("example.com", alice.id);
    REQUIRE(c.has_value());
    REQUIRE(c->has_value());
    return (*c)->user;
  };

  REQUIRE(update("alice.smith", "Alice Smith") == CtapStatus::kOk);
  CHECK(stored_user() == UserEntity{to_bytes("uid:alice"), "alice.smith", "Alice Smith", std::nullopt});
  // Through the enumeration too (alice is the older one: second).
  REQUIRE(f.cm.run(kCredsBegin, rp_hash_params("example.com")).status == CtapStatus::kOk);
  Reply r = f.cm.run(kCredsNext);
  REQUIRE(r.status == CtapStatus::kOk);
  CHECK(text_at(r.at(0x06), "name") == "alice.smith");
  CHECK(text_at(r.at(0x06), "displayName") == "Alice Smith");

  SUBCASE("an absent field is removed") {
    REQUIRE(update("alice", std::nullopt) == CtapStatus::kOk);
    CHECK(stored_user() == UserEntity{to_bytes("uid:alice"), "alice", std::nullopt, std::nullopt});
  }
  SUBCASE("an empty field is removed") {
    REQUIRE(update("", "Alice") == CtapStatus::kOk);
    CHECK(stored_user() == UserEntity{to_bytes("uid:alice"), std::nullopt, "Alice", std::nullopt});
  }
  // The other credential is untouched.
  auto bob = f.d.t.store.find_discoverable("example.com");
  REQUIRE(bob.has_value());
  CHECK(bob->front().user.name == "bob");
}

TEST_CASE("credential_management: updateUserInformation errors") {
  Fixture f;
  const Registered alice = f.make("example.com", "alice");
  auto params_for = [](const Bytes& cred, const Bytes& user_id) {
    cbor::Value params = credential_params(cred);
    params.set(0x03, user_map(user_id, "new", "New"));
    return params;
  };
  auto unchanged = [&]() {
    auto c = f.d.t.store.find("example.com", alice.id);
    REQUIRE(c.has_value());
    REQUIRE(c->has_value());
    CHECK((*c)->user.name == "alice");
  };
  SUBCASE("another user.id is INVALID_PARAMETER") {
    f.protect();
    CHECK(f.cm.run(kUpdate, params_for(alice.id, to_bytes("uid:mallory"))).status == CtapStatus::kInvalidParameter);
  }
  SUBCASE("an unknown credential is NO_CREDENTIALS") {
    f.protect();
    CHECK(f.cm.run(kUpdate, params_for(Bytes(32, 7), to_bytes("uid:alice"))).status == CtapStatus::kNoCredentials);
  }
  SUBCASE("user or credentialID missing is MISSING_PARAMETER") {
    f.protect();
    CHECK(f.cm.run(kUpdate, credential_params(alice.id)).status == CtapStatus::kMissingParameter);
    cbor::Value only_user = cbor::Value::map();
    only_user.set(0x03, user_map(to_bytes("uid:alice"), "new", "New"));
    CHECK(f.cm.run(kUpdate, only_user).status == CtapStatus::kMissingParameter);
  }
  SUBCASE("a token bound to another RP is PIN_AUTH_INVALID") {
    f.protect(perm::kCm, "other.example");
    CHECK(f.cm.run(kUpdate, params_for(alice.id, to_bytes("uid:alice"))).status == CtapStatus::kPinAuthInvalid);
  }
  unchanged();
}

// ---- the prototype command 0x41 and FIDO_2_1_PRE platforms ---------------------------------------

TEST_CASE("credential_management: 0x41 on a FIDO_2_1 model is an alias of 0x0A, updateUserInformation included") {
  Fixture f;
  const Registered alice = f.make("example.com", "alice");
  f.protect();
  f.cm.use_command(CtapCommand::kCredentialManagementPreview);
  REQUIRE(f.cm.run(kRpsBegin).status == CtapStatus::kOk);
  cbor::Value params = credential_params(alice.id);
  params.set(0x03, user_map(to_bytes("uid:alice"), "renamed", std::nullopt));
  CHECK(f.cm.run(kUpdate, params).status == CtapStatus::kOk);
  CHECK(f.cm.run(kDelete, credential_params(alice.id)).status == CtapStatus::kOk);
}

TEST_CASE("credential_management: a FIDO_2_1_PRE model takes the getPinToken token and has no updateUserInformation") {
  AuthenticatorProfile pre;
  pre.versions = {"FIDO_2_0", "FIDO_2_1_PRE"};
  pre.pin_uv_auth_token = false;  // no permissions: platforms use getPinToken (0x05)
  Fixture f(ProtocolId::kOne, pre);
  const Registered alice = f.make("example.com", "alice");
  REQUIRE(f.pin.set_pin(kPin) == CtapStatus::kOk);
  // getPinUvAuthTokenUsingPinWithPermissions is not offered: the legacy token it is.
  CHECK(f.pin.token(kPin, perm::kCm).status == CtapStatus::kInvalidSubcommand);
  auto legacy = f.pin.token(kPin, std::nullopt);
  REQUIRE(legacy.status == CtapStatus::kOk);
  f.cm.use_token(legacy.token);
  f.cm.use_command(CtapCommand::kCredentialManagementPreview);

  Reply meta = f.cm.run(kMetadata);
  REQUIRE(meta.status == CtapStatus::kOk);
  CHECK(meta.at(0x01).as_uint() == 1);
  Reply rk = f.cm.run(kCredsBegin, rp_hash_params("example.com"));
  REQUIRE(rk.status == CtapStatus::kOk);
  CHECK(rk.at(0x07).find("id")->as_bytes() == alice.id);

  cbor::Value params = credential_params(alice.id);
  params.set(0x03, user_map(to_bytes("uid:alice"), "renamed", std::nullopt));
  CHECK(f.cm.run(kUpdate, params).status == CtapStatus::kInvalidSubcommand);
  CHECK(f.cm.run(kDelete, credential_params(alice.id)).status == CtapStatus::kOk);
  // The same token still makes credentials (mc), as getPinToken's token always did.
  MakeCredentialArgs a;
  a.pin_uv_auth_param = f.pin.param(legacy.token, a.client_data_hash);
  a.pin_uv_auth_protocol = f.pin.protocol_number();
  CHECK(call(f.d.auth, make_credential_msg(a)).status == CtapStatus::kOk);
}
