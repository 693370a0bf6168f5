#include "tools/host/fido_objects.h"

#include <cstdio>

#include "authenticator/ctap_constants.h"

namespace vfido::host {

bool PublicKey::load(int alg, const unsigned char* ptr, std::size_t len) {
  alg_ = 0;
  es256_.reset();
  eddsa_.reset();
  rs256_.reset();
  if (ptr == nullptr || len == 0) return false;
  if (alg == COSE_ES256) {
    es256_.reset(es256_pk_new());
    if (!es256_ || es256_pk_from_ptr(es256_.get(), ptr, len) != FIDO_OK) {
      es256_.reset();
      return false;
    }
  } else if (alg == COSE_EDDSA) {
    eddsa_.reset(eddsa_pk_new());
    if (!eddsa_ || eddsa_pk_from_ptr(eddsa_.get(), ptr, len) != FIDO_OK) {
      eddsa_.reset();
      return false;
    }
  } else if (alg == COSE_RS256) {
    rs256_.reset(rs256_pk_new());
    if (!rs256_ || rs256_pk_from_ptr(rs256_.get(), ptr, len) != FIDO_OK) {
      rs256_.reset();
      return false;
    }
  } else {
    return false;
  }
  alg_ = alg;
  return true;
}

const void* PublicKey::get() const {
  if (es256_) return es256_.get();
  if (eddsa_) return eddsa_.get();
  if (rs256_) return rs256_.get();
  return nullptr;
}

std::string hex(const unsigned char* ptr, std::size_t len) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (std::size_t i = 0; i < len; ++i) {
    out.push_back(kDigits[ptr[i] >> 4]);
    out.push_back(kDigits[ptr[i] & 0x0f]);
  }
  return out;
}

std::string flags_text(std::uint8_t f) {
  char head[8];
  std::snprintf(head, sizeof(head), "0x%02x", f);
  std::string out = head;
  // WebAuthn L3 §6.1 "Authenticator Data", flags byte.
  struct Bit {
    std::uint8_t mask;
    const char* name;
  };
  static constexpr Bit kBits[] = {{flags::kUp, "UP"}, {flags::kUv, "UV"}, {flags::kBe, "BE"},
                                  {flags::kBs, "BS"}, {flags::kAt, "AT"}, {flags::kEd, "ED"}};
  for (const Bit& b : kBits) {
    if (f & b.mask) out += std::string(" ") + b.name;
  }
  return out;
}

std::string uuid_text(const unsigned char* ptr, std::size_t len) {
  std::string h = hex(ptr, len);
  if (len != 16) return h;
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" +
         h.substr(20);
}

std::string cose_alg_name(int alg) {
  switch (alg) {
    case COSE_ES256:
      return "ES256 (-7)";
    case COSE_EDDSA:
      return "EdDSA (-8)";
    case COSE_ES384:
      return "ES384 (-35)";
    case COSE_RS256:
      return "RS256 (-257)";
    default:
      return "COSE " + std::to_string(alg);
  }
}

std::string fido_error_text(int r) {
  char num[16];
  if (r >= 0) {
    std::snprintf(num, sizeof(num), "0x%02x", static_cast<unsigned>(r));
  } else {
    std::snprintf(num, sizeof(num), "%d", r);
  }
  return std::string(fido_strerr(r)) + " (" + num + ")";
}

}  // namespace vfido::host
