#include "tools/webauthn/attestation_object.h"

#include "authenticator/cbor/codec.h"

namespace vfido::webauthn {

tl::expected<AttestationObject, std::string> parse_attestation_object(ByteSpan bytes) {
  using Err = tl::unexpected<std::string>;
  auto decoded = cbor::decode(bytes, cbor::DecodeLimits{cbor::kDefaultMaxDepth, kMaxAttestationObjectLen});
  if (!decoded) return Err("attestationObject is not canonical CBOR within 64 KiB and 4 levels of nesting");
  if (!decoded->is_map()) return Err("attestationObject is not a CBOR map");
  AttestationObject out;
  bool have_fmt = false, have_stmt = false, have_auth = false;
  for (const auto& [k, v] : decoded->as_map()) {
    if (!k.is_text()) return Err("attestationObject has a key that is not a text string");
    const std::string& key = k.as_text();
    if (key == "fmt" && v.is_text()) {
      out.fmt = v.as_text();
      have_fmt = true;
    } else if (key == "attStmt" && v.is_map()) {
      out.att_stmt = v;
      have_stmt = true;
    } else if (key == "authData" && v.is_bytes()) {
      out.auth_data = v.as_bytes();
      have_auth = true;
    } else {
      return Err("attestationObject member \"" + key + "\" is unknown or of the wrong type");
    }
  }
  if (!have_fmt || !have_stmt || !have_auth) return Err("attestationObject lacks fmt, attStmt or authData");
  // WebAuthn §8.1: at most 32 octets of printable US-ASCII without backslash or double quote.
  if (out.fmt.empty() || out.fmt.size() > 32) return Err("attestation format identifier is not 1..32 characters");
  for (char c : out.fmt) {
    if (c < 0x21 || c > 0x7E || c == '"' || c == '\\') return Err("attestation format identifier has a forbidden character");
  }
  return out;
}

Bytes serialize_attestation_object(const AttestationObject& object) {
  cbor::Value m = cbor::Value::map();
  m.set("fmt", cbor::Value::text(object.fmt));
  m.set("attStmt", object.att_stmt);
  m.set("authData", cbor::Value::bytes(object.auth_data));
  auto encoded = cbor::encode(m);
  return encoded ? *encoded : Bytes{};
}

}  // namespace vfido::webauthn
