// Constants shared by the certificate and attestation tests and by the interop fixture program
// (no doctest here, so that a plain program can include it).
#pragma once

#include <cstdint>

#include "authenticator/bytes.h"
#include "authenticator/ctap_constants.h"

namespace vfido::test {

inline constexpr std::int64_t kTestNow = 1767225600;  // 2026-01-01T00:00:00Z
inline constexpr std::int64_t kDay = 86400;
// An AAGUID for test certificates: 5fd1f6c4-0ab4-4c4c-9a3d-7f3d2b5e8a11.
inline constexpr ByteArray<kAaguidLen> kTestAaguid = {0x5f, 0xd1, 0xf6, 0xc4, 0x0a, 0xb4, 0x4c, 0x4c,
                                                      0x9a, 0x3d, 0x7f, 0x3d, 0x2b, 0x5e, 0x8a, 0x11};

}  // namespace vfido::test
