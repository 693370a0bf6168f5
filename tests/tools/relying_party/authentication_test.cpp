// The relying party's assertion checks (WebAuthn L3 §7.2): signatures with ES256, EdDSA and
// RS256, RP ID hash, flags, backup eligibility, counters (0/0 = no counter), user handles.
#include <doctest/doctest.h>

#include "tests/tools/relying_party/rp_forge.h"

using namespace vfido;
using namespace vfido::rp;
using vfido::test::Fmt;
using vfido::test::RpForge;

namespace {

const Bytes kUser = {0x75, 0x73, 0x65, 0x72};

CredentialRecord registered(RpForge& f, std::uint8_t flags = flags::kUp) {
  RegistrationExpectations e;
  e.challenge = f.challenge;
  e.algorithms = {-7, -8, -257};
  e.user_handle = kUser;
  auto r = verify_registration(f.rp, e, f.registration(Fmt::kNone, flags));
  REQUIRE(r);
  return r->credential;
}

AuthenticationExpectations expect(const RpForge& f) {
  AuthenticationExpectations e;
  e.challenge = f.challenge;
  return e;
}

RpErrorCode fails_with(RpForge& f, const CredentialRecord& c, const webauthn::AuthenticationResponse& r,
                       AuthenticationExpectations e) {
  auto v = verify_assertion(f.rp, e, c, r);
  REQUIRE_FALSE(v);
  MESSAGE(v.error().to_string());
  return v.error().code;
}

}  // namespace

TEST_CASE("rp assertion: signatures with every algorithm; a flipped bit fails") {
  for (auto alg : {cose::kAlgEs256, cose::kAlgEdDsa, cose::kAlgRs256}) {
    CAPTURE(alg);
    RpForge f(alg);
    CredentialRecord c = registered(f);
    auto r = f.assertion(flags::kUp, 1, kUser);
    auto ok = verify_assertion(f.rp, expect(f), c, r);
    REQUIRE(ok);
    CHECK(ok->credential.sign_count == 1);
    CHECK(ok->counter_supported);
    r.signature[r.signature.size() - 1] ^= 0x01;
    CHECK(fails_with(f, c, r, expect(f)) == RpErrorCode::kSignatureInvalid);
    auto tampered = f.assertion(flags::kUp, 1, kUser);
    tampered.authenticator_data[32] |= flags::kUv;  // claim UV after signing
    CHECK(fails_with(f, c, tampered, expect(f)) == RpErrorCode::kSignatureInvalid);
  }
}

TEST_CASE("rp assertion: counters") {
  RpForge f;
  CredentialRecord c = registered(f);
  SUBCASE("0 and 0: no counter, as synced providers report") {
    auto r = verify_assertion(f.rp, expect(f), c, f.assertion(flags::kUp, 0, kUser));
    REQUIRE(r);
    CHECK_FALSE(r->counter_supported);
    CHECK_FALSE(r->counter_regressed);
  }
  SUBCASE("increasing, then a regression") {
    auto first = verify_assertion(f.rp, expect(f), c, f.assertion(flags::kUp, 5, kUser));
    REQUIRE(first);
    const CredentialRecord& updated = first->credential;
    CHECK(updated.sign_count == 5);
    CHECK(fails_with(f, updated, f.assertion(flags::kUp, 5, kUser), expect(f)) == RpErrorCode::kCounterRegression);
    CHECK(fails_with(f, updated, f.assertion(flags::kUp, 0, kUser), expect(f)) == RpErrorCode::kCounterRegression);
    auto lenient = expect(f);
    lenient.reject_counter_regression = false;
    auto r = verify_assertion(f.rp, lenient, updated, f.assertion(flags::kUp, 3, kUser));
    REQUIRE(r);
    CHECK(r->counter_regressed);
  }
}

TEST_CASE("rp assertion: each check") {
  RpForge f;
  CredentialRecord c = registered(f, flags::kUp | flags::kBe | flags::kBs);
  const std::uint8_t synced = flags::kUp | flags::kBe | flags::kBs;
  SUBCASE("the good case updates backup state and uvInitialized") {
    auto r = verify_assertion(f.rp, expect(f), c, f.assertion(flags::kUp | flags::kUv | flags::kBe, 0, kUser));
    REQUIRE(r);
    CHECK_FALSE(r->credential.backup_state);
    CHECK(r->credential.uv_initialized);
    CHECK(r->user_verified);
  }
  SUBCASE("wrong RP ID hash") {
    f.rp_id_for_data = "example.com";
    CHECK(fails_with(f, c, f.assertion(synced, 0, kUser), expect(f)) == RpErrorCode::kRpIdHashMismatch);
  }
  SUBCASE("wrong origin") {
    f.origin = "https://login.example.org";
    CHECK(fails_with(f, c, f.assertion(synced, 0, kUser), expect(f)) == RpErrorCode::kOriginNotAllowed);
  }
  SUBCASE("wrong challenge") {
    auto e = expect(f);
    e.challenge = {9};
    CHECK(fails_with(f, c, f.assertion(synced, 0, kUser), e) == RpErrorCode::kChallengeMismatch);
  }
  SUBCASE("a registration's client data") {
    f.get_type = "webauthn.create";
    CHECK(fails_with(f, c, f.assertion(synced, 0, kUser), expect(f)) == RpErrorCode::kWrongType);
  }
  SUBCASE("UV required but absent") {
    auto e = expect(f);
    e.require_user_verification = true;
    CHECK(fails_with(f, c, f.assertion(synced, 0, kUser), e) == RpErrorCode::kUserNotVerified);
  }
  SUBCASE("UP clear") {
    CHECK(fails_with(f, c, f.assertion(flags::kBe, 0, kUser), expect(f)) == RpErrorCode::kUserNotPresent);
  }
  SUBCASE("BE changed since registration") {
    CHECK(fails_with(f, c, f.assertion(flags::kUp, 0, kUser), expect(f)) == RpErrorCode::kBackupEligibilityChanged);
  }
  SUBCASE("user handles") {
    CHECK(fails_with(f, c, f.assertion(synced, 0, std::nullopt), expect(f)) == RpErrorCode::kUserHandleMissing);
    CHECK(fails_with(f, c, f.assertion(synced, 0, Bytes{1}), expect(f)) == RpErrorCode::kUserHandleMismatch);
    auto identified = expect(f);
    identified.identified_user = kUser;
    CHECK(verify_assertion(f.rp, identified, c, f.assertion(synced, 0, std::nullopt)));  // userHandle optional then
    identified.identified_user = Bytes{7};
    CHECK(fails_with(f, c, f.assertion(synced, 0, kUser), identified) == RpErrorCode::kUnknownCredential);
  }
  SUBCASE("allowCredentials and the credential store") {
    auto e = expect(f);
    e.allow_credentials = {Bytes{1, 2, 3}};
    auto r = f.assertion(synced, 0, kUser);
    CHECK(verify_authentication(f.rp, e, {c}, r).error().code == RpErrorCode::kCredentialNotAllowed);
    e.allow_credentials.push_back(f.credential_id);
    CHECK(verify_authentication(f.rp, e, {c}, r));
    CHECK(verify_authentication(f.rp, expect(f), {}, r).error().code == RpErrorCode::kUnknownCredential);
  }
}
