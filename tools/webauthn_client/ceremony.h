// Small pieces create.cpp and get.cpp share (internal to the client emulator).
#pragma once

#include <string>
#include <vector>

#include "authenticator/bytes.h"
#include "tools/webauthn_client/dom_exception.h"
#include "tools/webauthn_client/webauthn_client.h"

namespace vfido::webauthn::detail {

inline ClientError error(DomExceptionName n, std::string message) { return ClientError{n, std::move(message), {}}; }

inline void note(Transcript* t, std::string line) {
  if (t != nullptr) t->push_back(std::move(line));
}

inline Bytes bytes_of(const unsigned char* p, std::size_t n) { return p == nullptr ? Bytes{} : Bytes(p, p + n); }

// " extensions=a,b" for a transcript line, or nothing.
inline std::string extension_list(const std::vector<std::string>& sent) {
  if (sent.empty()) return {};
  std::string out = " extensions=";
  for (std::size_t i = 0; i < sent.size(); ++i) out += (i ? "," : "") + sent[i];
  return out;
}

}  // namespace vfido::webauthn::detail
