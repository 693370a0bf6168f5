// End to end: vfido keys of every built-in profile, driven through libfido2 by the WebAuthn
// client emulator (browser and extension profiles), verified by the relying-party emulator.
#include <doctest/doctest.h>

#include <fido.h>

#include "profiles/registry.h"
#include "tests/support/attested_profiles.h"
#include "tools/host/attestation_files.h"
#include "tools/host/metadata_statement.h"
#include "tests/tools/webauthn_e2e/ceremony_fixture.h"
#include "tools/webauthn/attestation_object.h"
#include "authenticator/base64.h"

using namespace vfido;
using namespace vfido::test;
using webauthn::DomExceptionName;

TEST_CASE("webauthn e2e: every built-in profile registers and signs in, and the RP sees what the model promises") {
  for (const auto& profile : attested_builtins()) {
    CAPTURE(profile.id);
    const AuthenticatorProfile& m = profile.model;
    Ceremonies c(m);
    rp::CredentialRecord cred = c.register_credential(c.creation());
    CHECK(cred.aaguid == m.aaguid);
    CHECK(cred.backup_eligible == m.backup_eligible);
    CHECK(cred.backup_state == m.backup_state);
    CHECK(cred.credential_device_type() == (m.backup_eligible ? "multiDevice" : "singleDevice"));
    CHECK(cred.attestation_format == (m.attestation == AttestationMode::kNone ? "none" : "packed"));
    CHECK(cred.uv_initialized == m.built_in_uv.value_or(false));
    CHECK(cred.transports == [&] {
      auto t = m.transports;
      std::sort(t.begin(), t.end());
      return t;
    }());

    // Two sign-ins with a discoverable credential: counters count, or stay 0 for synced providers.
    for (int round = 1; round <= 2; ++round) {
      CAPTURE(round);
      auto request = c.request({static_cast<std::uint8_t>(round), 0x42});
      auto got = c.get(request);
      INFO((got ? "" : got.error().to_string()));
      REQUIRE(got);
      CHECK(got->credential.user_handle == Bytes{0x75, 0x31});
      rp::AuthenticationExpectations e;
      e.challenge = request.challenge;
      auto ok = rp::verify_authentication(c.rp, e, {cred}, got->credential);
      INFO((ok ? "" : ok.error().to_string()));
      REQUIRE(ok);
      CHECK(ok->counter_supported == (m.sign_counter != SignCounter::kZero));
      CHECK(ok->credential.sign_count == (m.sign_counter == SignCounter::kZero ? 0U : static_cast<std::uint32_t>(round)));
      CHECK(ok->user_verified == m.built_in_uv.value_or(false));
      cred = ok->credential;
    }
  }
}

TEST_CASE("webauthn e2e: attestation none on a roaming key drops the statement and, as Chromium, the AAGUID") {
  const auto yubikey = attested("yubikey-like");
  SUBCASE("browser") {
    Ceremonies c(yubikey.model);
    auto o = c.creation();
    o.attestation = webauthn::AttestationConveyance::kNone;
    rp::CredentialRecord cred = c.register_credential(o);
    CHECK(cred.attestation_format == "none");
    CHECK(cred.aaguid == ByteArray<kAaguidLen>{});
  }
  SUBCASE("direct keeps both") {
    Ceremonies c(yubikey.model);
    rp::CredentialRecord cred = c.register_credential(c.creation());
    CHECK(cred.attestation_format == "packed");
    // x5c without a metadata statement: Basic or AttCA cannot be told apart (§8.2).
    CHECK(cred.attestation_type == rp::AttestationType::kUncertain);
    CHECK(cred.trust == rp::TrustResult::kNoMetadata);
    CHECK(cred.aaguid == yubikey.model.aaguid);
  }
  SUBCASE("direct, with the metadata `vfido metadata export` writes: trusted basic attestation") {
    OpenSslRng rng;
    auto root = host::attestation_root(yubikey, attestation_data_dir(), rng);
    REQUIRE(root);
    auto statement = rp::MetadataStore::parse_statement(nlohmann::json(host::metadata_statement(yubikey, *root)), "export");
    INFO((statement ? std::string() : statement.error()));
    REQUIRE(statement);
    rp::MetadataStore metadata;
    metadata.add(*statement);
    Ceremonies c(yubikey.model);
    c.rp.metadata = &metadata;
    rp::RegistrationExpectations re;
    auto o = c.creation();
    re.challenge = o.challenge;
    re.user_handle = o.user_id;
    re.attestation = rp::AttestationRequirement::kTrusted;
    auto created = c.create(o);
    REQUIRE(created);
    auto cred = rp::verify_registration(c.rp, re, created->credential);
    INFO((cred ? "" : cred.error().to_string()));
    REQUIRE(cred);
    CHECK(cred->credential.attestation_type == rp::AttestationType::kBasic);
    CHECK(cred->credential.trust == rp::TrustResult::kTrusted);

    // Another profile's CA is not this model's anchor.
    const auto other = attested([&] {
      auto p = yubikey;
      p.id = "yubikey-like-other-ca";
      return p;
    }());
    auto other_root = host::attestation_root(other, attestation_data_dir(), rng);
    REQUIRE(other_root);
    CHECK(other_root->der() != root->der());
    auto wrong = rp::MetadataStore::parse_statement(nlohmann::json(host::metadata_statement(yubikey, *other_root)), "x");
    REQUIRE(wrong);
    rp::MetadataStore wrong_store;
    wrong_store.add(*wrong);
    c.rp.metadata = &wrong_store;
    auto o2 = c.creation();
    re.challenge = o2.challenge;
    re.user_handle = o2.user_id;
    auto created2 = c.create(o2);
    REQUIRE(created2);
    auto refused = rp::verify_registration(c.rp, re, created2->credential);
    CHECK_FALSE(refused);
  }
  SUBCASE("a synced provider keeps its AAGUID") {
    auto gpm = profiles::resolve("google-password-manager");
    REQUIRE(gpm);
    Ceremonies c(gpm->model);
    auto o = c.creation();
    o.attestation = webauthn::AttestationConveyance::kNone;
    CHECK(c.register_credential(o).aaguid == gpm->model.aaguid);
  }
}

TEST_CASE("webauthn e2e: login.microsoft.com from login.microsoftonline.com (related origins)") {
  auto keeper = profiles::resolve("keeper");
  REQUIRE(keeper);
  const char* entra = "https://login.microsoftonline.com";
  for (const char* client : {"browser", "extension"}) {
    CAPTURE(client);
    Ceremonies c(keeper->model, client);
    c.rp.rp_id = "login.microsoft.com";
    c.rp.origins = {"https://login.microsoft.com", entra};
    c.fetcher.set_well_known("login.microsoft.com", R"({"origins": ["https://login.microsoftonline.com"]})");
    // Registered on login.microsoft.com itself (the UPN typed first).
    auto o = c.creation();
    o.rp_id = "login.microsoft.com";
    auto created = c.create(o, {}, "https://login.microsoft.com");
    REQUIRE(created);
    rp::RegistrationExpectations re;
    re.challenge = o.challenge;
    re.user_handle = o.user_id;
    auto cred = rp::verify_registration(c.rp, re, created->credential);
    REQUIRE(cred);
    // No UPN: login.microsoftonline.com asks for login.microsoft.com with an empty allow list.
    auto request = c.request();
    request.rp_id = "login.microsoft.com";
    auto got = c.get(request, {}, entra);
    if (std::string(client) == "browser") {
      INFO((got ? "" : got.error().to_string()));
      REQUIRE(got);
      rp::AuthenticationExpectations e;
      e.challenge = request.challenge;
      auto ok = rp::verify_authentication(c.rp, e, {cred->credential}, got->credential);
      REQUIRE(ok);
      CHECK(ok->client_data_origin == entra);
    } else {
      REQUIRE_FALSE(got);
      CHECK(got.error().name == DomExceptionName::kSecurityError);
      CHECK(got.error().to_string().rfind(
                "SecurityError: RP ID login.microsoft.com is not a registrable suffix of origin https://login.microsoftonline.com", 0) == 0);
      CHECK(c.transcript.empty());  // refused before the authenticator was asked anything
    }
  }
}

TEST_CASE("webauthn e2e: PIN and user verification") {
  Ceremonies c(AuthenticatorProfile{});
  REQUIRE(fido_dev_set_pin(c.dev.get(), "4321", nullptr) == FIDO_OK);
  auto o = c.creation();
  o.user_verification = webauthn::UserVerification::kRequired;
  SUBCASE("no PIN typed") {
    auto r = c.create(o);
    REQUIRE_FALSE(r);
    CHECK(r.error().name == DomExceptionName::kNotAllowedError);
    CHECK(r.error().message.find("wants its PIN") != std::string::npos);
  }
  SUBCASE("the right PIN gives UV, for create and get") {
    webauthn::Interaction user;
    user.pin = "4321";
    rp::CredentialRecord cred = c.register_credential(o, user);
    CHECK(cred.uv_initialized);
    auto request = c.request();
    request.user_verification = webauthn::UserVerification::kRequired;
    auto got = c.get(request, user);
    REQUIRE(got);
    rp::AuthenticationExpectations e;
    e.challenge = request.challenge;
    e.require_user_verification = true;
    CHECK(rp::verify_authentication(c.rp, e, {cred}, got->credential));
  }
  SUBCASE("a wrong PIN") {
    webauthn::Interaction user;
    user.pin = "0000";
    auto r = c.create(o, user);
    REQUIRE_FALSE(r);
    CHECK(r.error().name == DomExceptionName::kNotAllowedError);
    CHECK(r.error().ctap_status == FIDO_ERR_PIN_INVALID);
  }
}

TEST_CASE("webauthn e2e: CTAP errors become DOMExceptions") {
  SUBCASE("excludeCredentials matches: InvalidStateError") {
    Ceremonies c(AuthenticatorProfile{});
    auto first = c.create(c.creation());
    REQUIRE(first);
    auto o = c.creation();
    o.exclude_credentials = {{"public-key", first->credential.raw_id, {}}};
    auto again = c.create(o);
    REQUIRE_FALSE(again);
    CHECK(again.error().name == DomExceptionName::kInvalidStateError);
    CHECK(again.error().ctap_status == FIDO_ERR_CREDENTIAL_EXCLUDED);
  }
  SUBCASE("no such credential: NotAllowedError") {
    Ceremonies c(AuthenticatorProfile{});
    auto request = c.request();
    request.allow_credentials = {{"public-key", Bytes(32, 0xAB), {}}};
    auto r = c.get(request);
    REQUIRE_FALSE(r);
    CHECK(r.error().name == DomExceptionName::kNotAllowedError);
    CHECK(r.error().ctap_status == FIDO_ERR_NO_CREDENTIALS);
  }
  SUBCASE("the user declines: NotAllowedError") {
    Ceremonies c(AuthenticatorProfile{}, "browser", host::PresenceMode::kDeny);
    auto r = c.create(c.creation());
    REQUIRE_FALSE(r);
    CHECK(r.error().name == DomExceptionName::kNotAllowedError);
    REQUIRE(r.error().ctap_status);
  }
  SUBCASE("no common algorithm: NotAllowedError before any makeCredential") {
    Ceremonies c(AuthenticatorProfile{});
    auto o = c.creation();
    o.pub_key_cred_params = {{"public-key", -35}};  // ES384: no vfido profile offers it
    auto r = c.create(o);
    REQUIRE_FALSE(r);
    CHECK(r.error().name == DomExceptionName::kNotAllowedError);
    CHECK(r.error().message.find("none of the requested algorithms") != std::string::npos);
  }
  SUBCASE("only unknown credential types: NotSupportedError") {
    Ceremonies c(AuthenticatorProfile{});
    auto o = c.creation();
    o.pub_key_cred_params = {{"password", -7}};
    CHECK(c.create(o).error().name == DomExceptionName::kNotSupportedError);
  }
  SUBCASE("user.id too long: TypeError") {
    Ceremonies c(AuthenticatorProfile{});
    auto o = c.creation();
    o.user_id = Bytes(65, 1);
    CHECK(c.create(o).error().name == DomExceptionName::kTypeError);
  }
}

TEST_CASE("webauthn e2e: extensions credProps, prf, credBlob and largeBlob") {
  Ceremonies c(AuthenticatorProfile{});
  // libfido2 1.12 asks for a pinUvAuthToken (lbw permission) for every largeBlobs write to a
  // CTAP 2.1 key, so the write needs the PIN (or built-in UV).
  REQUIRE(fido_dev_set_pin(c.dev.get(), "4321", nullptr) == FIDO_OK);
  webauthn::Interaction user;
  user.pin = "4321";
  auto o = c.creation();
  o.resident_key = webauthn::ResidentKey::kRequired;
  o.extensions.cred_props = true;
  o.extensions.prf = true;
  o.extensions.cred_blob = Bytes{0xB1, 0x0B};
  o.extensions.large_blob_support = "preferred";
  o.extensions.credential_protection_policy = "userVerificationOptionalWithCredentialIDList";
  auto created = c.create(o, user);
  INFO((created ? "" : created.error().to_string()));
  REQUIRE(created);
  const auto& ext = created->credential.client_extension_results;
  CHECK(ext["credProps"]["rk"] == true);
  CHECK(ext["prf"]["enabled"] == true);
  CHECK(ext["credBlob"] == true);
  CHECK(ext["largeBlob"]["supported"] == true);
  const Bytes id = created->credential.raw_id;

  auto request = c.request();
  request.allow_credentials = {{"public-key", id, {}}};
  request.extensions.prf_eval = webauthn::PrfValues{to_bytes("salt one"), to_bytes("salt two")};
  request.extensions.get_cred_blob = true;
  request.extensions.large_blob_write = to_bytes("a certificate, say");
  auto first = c.get(request, user);
  INFO((first ? "" : first.error().to_string()));
  REQUIRE(first);
  const auto& e1 = first->credential.client_extension_results;
  CHECK(e1["getCredBlob"] == vfido::base64url_encode(Bytes{0xB1, 0x0B}));
  CHECK(e1["largeBlob"]["written"] == true);
  REQUIRE(e1["prf"]["results"].contains("second"));
  CHECK(e1["prf"]["results"]["first"] != e1["prf"]["results"]["second"]);

  // The same inputs give the same outputs, per credential (evalByCredential wins over eval).
  request.extensions.large_blob_write.reset();
  request.extensions.large_blob_read = true;
  request.extensions.prf_eval_by_credential[vfido::base64url_encode(id)] = webauthn::PrfValues{to_bytes("salt one"), {}};
  auto second = c.get(request, user);
  REQUIRE(second);
  const auto& e2 = second->credential.client_extension_results;
  CHECK(e2["prf"]["results"]["first"] == e1["prf"]["results"]["first"]);
  CHECK_FALSE(e2["prf"]["results"].contains("second"));
  CHECK(e2["largeBlob"]["blob"] == vfido::base64url_encode(to_bytes("a certificate, say")));

  // Client-side extension errors.
  auto bad = c.request();
  bad.extensions.prf_eval_by_credential["AAAA"] = webauthn::PrfValues{to_bytes("x"), {}};
  CHECK(c.get(bad).error().name == DomExceptionName::kNotSupportedError);  // empty allowCredentials
  bad.allow_credentials = {{"public-key", id, {}}};
  CHECK(c.get(bad).error().name == DomExceptionName::kSyntaxError);  // not an allowed ID
  auto both = c.request();
  both.extensions.large_blob_read = true;
  both.extensions.large_blob_write = Bytes{1};
  CHECK(c.get(both).error().name == DomExceptionName::kNotSupportedError);
}
