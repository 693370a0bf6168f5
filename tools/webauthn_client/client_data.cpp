#include "tools/webauthn_client/client_data.h"

#include <cstdio>

#include "authenticator/base64.h"

namespace vfido::webauthn {

std::string ccd_to_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    // UTF-8 bytes >= 0x80 belong to code points >= U+0080: copied as they are.
    if (c == '"') {
      out += "\\\"";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (u >= 0x20) {
      out.push_back(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(u));
      out += buf;
    }
  }
  return out + "\"";
}

std::string serialize_client_data(const CollectedClientData& c) {
  std::string out = "{\"type\":" + ccd_to_string(c.type);
  out += ",\"challenge\":" + ccd_to_string(base64url_encode(c.challenge));
  out += ",\"origin\":" + ccd_to_string(c.origin);
  out += ",\"crossOrigin\":";
  out += c.cross_origin ? "true" : "false";
  if (c.top_origin) out += ",\"topOrigin\":" + ccd_to_string(*c.top_origin);
  return out + "}";
}

}  // namespace vfido::webauthn
