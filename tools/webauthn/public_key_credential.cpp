#include "tools/webauthn/public_key_credential.h"

#include "authenticator/base64.h"

namespace vfido::webauthn {
namespace {

using json = nlohmann::json;
using Err = tl::unexpected<std::string>;

// Reads member `name` of `obj` (`where` prefixes error messages) as base64url bytes.
tl::expected<Bytes, std::string> b64_member(const json& obj, const char* name, const std::string& where) {
  auto it = obj.find(name);
  if (it == obj.end() || !it->is_string()) return Err(where + name + " is missing or not a string");
  auto bytes = base64url_decode(it->get<std::string>());
  if (!bytes) return Err(where + name + " is not base64url without padding");
  return *bytes;
}

// id, rawId and type, shared by both response kinds (§5.1.8).
tl::expected<Bytes, std::string> credential_id(const json& j) {
  if (!j.is_object()) return Err("the credential is not a JSON object");
  auto raw = b64_member(j, "rawId", "");
  if (!raw) return Err(raw.error());
  auto id = j.find("id");
  if (id == j.end() || !id->is_string() || id->get<std::string>() != base64url_encode(*raw)) {
    return Err("id is missing or differs from base64url(rawId)");
  }
  auto type = j.find("type");
  if (type == j.end() || *type != "public-key") return Err("type is not \"public-key\"");
  if (raw->empty()) return Err("rawId is empty");
  return *raw;
}

tl::expected<std::optional<std::string>, std::string> attachment(const json& j) {
  auto it = j.find("authenticatorAttachment");
  if (it == j.end() || it->is_null()) return std::optional<std::string>{};
  if (!it->is_string()) return Err("authenticatorAttachment is not a string");
  return std::optional<std::string>(it->get<std::string>());
}

// What both response kinds start with: the ID, the response object and its clientDataJSON.
struct Common {
  Bytes raw_id;
  const json* response = nullptr;
  Bytes client_data_json;
};

tl::expected<Common, std::string> common_members(const json& j) {
  Common c;
  auto id = credential_id(j);
  if (!id) return Err(id.error());
  c.raw_id = *id;
  auto resp = j.find("response");
  if (resp == j.end() || !resp->is_object()) return Err("response is missing or not an object");
  c.response = &*resp;
  auto cdj = b64_member(*resp, "clientDataJSON", "response.");
  if (!cdj) return Err(cdj.error());
  c.client_data_json = *cdj;
  return c;
}

json extensions_of(const json& j) {
  auto it = j.find("clientExtensionResults");
  return it != j.end() && it->is_object() ? *it : json::object();
}

}  // namespace

json to_json(const RegistrationResponse& r) {
  json response = {
      {"clientDataJSON", base64url_encode(r.client_data_json)},
      {"attestationObject", base64url_encode(r.attestation_object)},
      {"authenticatorData", base64url_encode(r.authenticator_data)},
      {"transports", r.transports},
      {"publicKeyAlgorithm", r.public_key_algorithm},
  };
  if (r.public_key) response["publicKey"] = base64url_encode(*r.public_key);
  json out = {
      {"id", base64url_encode(r.raw_id)},
      {"rawId", base64url_encode(r.raw_id)},
      {"type", "public-key"},
      {"response", response},
      {"clientExtensionResults", r.client_extension_results},
  };
  if (r.authenticator_attachment) out["authenticatorAttachment"] = *r.authenticator_attachment;
  return out;
}

json to_json(const AuthenticationResponse& r) {
  json response = {
      {"clientDataJSON", base64url_encode(r.client_data_json)},
      {"authenticatorData", base64url_encode(r.authenticator_data)},
      {"signature", base64url_encode(r.signature)},
  };
  if (r.user_handle) response["userHandle"] = base64url_encode(*r.user_handle);
  json out = {
      {"id", base64url_encode(r.raw_id)},
      {"rawId", base64url_encode(r.raw_id)},
      {"type", "public-key"},
      {"response", response},
      {"clientExtensionResults", r.client_extension_results},
  };
  if (r.authenticator_attachment) out["authenticatorAttachment"] = *r.authenticator_attachment;
  return out;
}

tl::expected<RegistrationResponse, std::string> registration_response_from_json(const json& j) {
  auto common = common_members(j);
  if (!common) return Err(common.error());
  const json* resp = common->response;
  RegistrationResponse out;
  out.raw_id = common->raw_id;
  out.client_data_json = common->client_data_json;
  auto ao = b64_member(*resp, "attestationObject", "response.");
  if (!ao) return Err(ao.error());
  out.attestation_object = *ao;
  if (resp->contains("authenticatorData")) {
    auto ad = b64_member(*resp, "authenticatorData", "response.");
    if (!ad) return Err(ad.error());
    out.authenticator_data = *ad;
  }
  if (resp->contains("publicKey")) {
    auto pk = b64_member(*resp, "publicKey", "response.");
    if (!pk) return Err(pk.error());
    out.public_key = *pk;
  }
  if (auto alg = resp->find("publicKeyAlgorithm"); alg != resp->end()) {
    if (!alg->is_number_integer()) return Err("response.publicKeyAlgorithm is not an integer");
    out.public_key_algorithm = alg->get<std::int64_t>();
  }
  if (auto tr = resp->find("transports"); tr != resp->end()) {
    if (!tr->is_array()) return Err("response.transports is not an array");
    for (const auto& t : *tr) {
      if (!t.is_string()) return Err("response.transports has a member that is not a string");
      out.transports.push_back(t.get<std::string>());
    }
  }
  auto att = attachment(j);
  if (!att) return Err(att.error());
  out.authenticator_attachment = *att;
  out.client_extension_results = extensions_of(j);
  return out;
}

tl::expected<AuthenticationResponse, std::string> authentication_response_from_json(const json& j) {
  auto common = common_members(j);
  if (!common) return Err(common.error());
  const json* resp = common->response;
  AuthenticationResponse out;
  out.raw_id = common->raw_id;
  out.client_data_json = common->client_data_json;
  auto ad = b64_member(*resp, "authenticatorData", "response.");
  if (!ad) return Err(ad.error());
  out.authenticator_data = *ad;
  auto sig = b64_member(*resp, "signature", "response.");
  if (!sig) return Err(sig.error());
  out.signature = *sig;
  if (auto uh = resp->find("userHandle"); uh != resp->end() && !uh->is_null()) {
    auto h = b64_member(*resp, "userHandle", "response.");
    if (!h) return Err(h.error());
    out.user_handle = *h;
  }
  auto att = attachment(j);
  if (!att) return Err(att.error());
  out.authenticator_attachment = *att;
  out.client_extension_results = extensions_of(j);
  return out;
}

}  // namespace vfido::webauthn
