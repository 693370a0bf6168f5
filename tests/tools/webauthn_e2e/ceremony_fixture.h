// A key of some profile on a Unix socket, the WebAuthn client emulator driving it through
// libfido2, and a relying party checking what comes back: what the end-to-end tests and the
// @simplewebauthn cross-check fixture share.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/support/libfido2_key.h"
#include "tests/tools/webauthn_client/client_fixture.h"
#include "tools/relying_party/relying_party.h"
#include "tools/webauthn_client/webauthn_client.h"

namespace vfido::test {

struct Ceremonies {
  explicit Ceremonies(const AuthenticatorProfile& model, const char* client = "browser",
                      host::PresenceMode presence = host::PresenceMode::kApprove)
      : key(options(model, presence)), dev(key.open()), client_(*webauthn::client_profile(client), psl(), &fetcher) {
    rp.rp_id = "login.example.com";
    rp.origins = {"https://login.example.com"};
  }
  static host::KeyOptions options(const AuthenticatorProfile& model, host::PresenceMode presence) {
    host::KeyOptions o;
    o.profile = model;
    o.presence = presence;
    return o;
  }

  webauthn::CallerContext caller(const char* url = "https://login.example.com") const {
    return webauthn::CallerContext{origin(url), std::nullopt, true};
  }

  webauthn::CreationOptions creation(Bytes challenge = {0x10, 0x11, 0x12, 0x13}) const {
    webauthn::CreationOptions o;
    o.rp_id = rp.rp_id;
    o.user_id = {0x75, 0x31};
    o.user_name = "dana@example.com";
    o.user_display_name = "Dana";
    o.challenge = std::move(challenge);
    o.pub_key_cred_params = {{"public-key", -7}, {"public-key", -8}, {"public-key", -257}};
    o.resident_key = webauthn::ResidentKey::kPreferred;
    o.attestation = webauthn::AttestationConveyance::kDirect;
    return o;
  }

  webauthn::RequestOptions request(Bytes challenge = {0x20, 0x21, 0x22, 0x23}) const {
    webauthn::RequestOptions o;
    o.rp_id = rp.rp_id;
    o.challenge = std::move(challenge);
    return o;
  }

  tl::expected<webauthn::CreateResult, webauthn::ClientError> create(const webauthn::CreationOptions& o,
                                                                     const webauthn::Interaction& user = {},
                                                                     const char* url = "https://login.example.com") {
    transcript.clear();
    return client_.create(dev.get(), caller(url), o, user, &transcript);
  }
  tl::expected<webauthn::GetResult, webauthn::ClientError> get(const webauthn::RequestOptions& o,
                                                               const webauthn::Interaction& user = {},
                                                               const char* url = "https://login.example.com") {
    transcript.clear();
    return client_.get(dev.get(), caller(url), o, user, &transcript);
  }

  // create() and the RP's verification; fails the test on either error.
  rp::CredentialRecord register_credential(const webauthn::CreationOptions& o, const webauthn::Interaction& user = {}) {
    auto created = create(o, user);
    INFO((created ? "" : created.error().to_string()));
    REQUIRE(created);
    rp::RegistrationExpectations e;
    e.challenge = o.challenge;
    e.algorithms = {-7, -8, -257};
    e.user_handle = o.user_id;
    auto verified = rp::verify_registration(rp, e, created->credential);
    INFO((verified ? "" : verified.error().to_string()));
    REQUIRE(verified);
    return verified->credential;
  }

  UnixKey key;
  host::FidoDev dev;
  webauthn::MapFetcher fetcher;
  rp::RelyingPartyConfig rp;
  webauthn::Transcript transcript;

 private:
  webauthn::Client client_;
};

}  // namespace vfido::test
