// What the libfido2 integration tests share (style.md §15): a key (BackgroundKey) on a Unix
// socket in a fresh temporary directory, opened through libfido2's custom I/O, and
// makeCredential/getAssertion through libfido2.
#pragma once

#include <doctest/doctest.h>

#include <stdlib.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "authenticator/bytes.h"
#include "tests/support/temp_dir.h"
#include "tools/host/fido_objects.h"
#include "tools/host/fido_unix_io.h"
#include "tools/host/virtual_key.h"

namespace vfido::test {

using vfido::host::BackgroundKey;
using vfido::host::FidoAssert;
using vfido::host::FidoCred;
using vfido::host::FidoDev;
using vfido::host::KeyOptions;
using vfido::host::PresenceMode;
using vfido::host::PublicKey;

inline constexpr int kTimeoutMs = 5000;  // every libfido2 call; a failure must not hang the suite

// A key on a Unix socket in a fresh temporary directory.
struct UnixKey {
  explicit UnixKey(host::PresenceMode presence = host::PresenceMode::kApprove) : UnixKey(options(presence)) {}
  explicit UnixKey(host::KeyOptions o) : key(std::move(o)) {
    key.add_unix(dir.file("key.sock"));
    key.start();
  }
  static host::KeyOptions options(host::PresenceMode presence) {
    host::KeyOptions o;
    o.presence = presence;
    return o;
  }
  host::FidoDev open() {
    int r = FIDO_ERR_INTERNAL;
    host::FidoDev dev = host::open_unix_device(dir.file("key.sock"), &r, kTimeoutMs);
    INFO("fido_dev_open: " << host::fido_error_text(r));
    REQUIRE(dev);
    return dev;
  }
  void power_cycle() {
    key.on_key([](host::VirtualKey& k) { k.authenticator().power_cycle(); });
  }

  TempDir dir;  // declared first: the socket file is gone before the directory is removed
  host::BackgroundKey key;
};

inline Bytes bytes_of(const unsigned char* p, std::size_t n) { return p == nullptr ? Bytes{} : Bytes(p, p + n); }

inline void set_cdh(fido_cred_t* cred, std::uint8_t fill) {
  std::array<unsigned char, 32> cdh{};
  cdh.fill(fill);
  REQUIRE(fido_cred_set_clientdata_hash(cred, cdh.data(), cdh.size()) == FIDO_OK);
}

struct MadeCredential {
  FidoCred cred;
  Bytes id;
  PublicKey key;
};

// makeCredential through libfido2 (with a PIN when `pin` is set, with credProtect `prot` when
// non-zero); returns the libfido2 status and, on success, the credential.
inline int make_credential(fido_dev_t* dev, int alg, bool rk, const std::string& rp, const std::string& user,
                           MadeCredential& out, const char* pin = nullptr, int prot = 0) {
  out.cred.reset(fido_cred_new());
  REQUIRE(out.cred);
  fido_cred_t* c = out.cred.get();
  set_cdh(c, 0x11);
  Bytes user_id = vfido::to_bytes("uid:" + user);
  REQUIRE(fido_cred_set_type(c, alg) == FIDO_OK);
  REQUIRE(fido_cred_set_rp(c, rp.c_str(), "Test RP") == FIDO_OK);
  REQUIRE(fido_cred_set_user(c, user_id.data(), user_id.size(), user.c_str(), user.c_str(), nullptr) == FIDO_OK);
  REQUIRE(fido_cred_set_rk(c, rk ? FIDO_OPT_TRUE : FIDO_OPT_OMIT) == FIDO_OK);
  if (prot != 0) REQUIRE(fido_cred_set_prot(c, prot) == FIDO_OK);
  int r = fido_dev_make_cred(dev, c, pin);
  if (r != FIDO_OK) return r;
  out.id = bytes_of(fido_cred_id_ptr(c), fido_cred_id_len(c));
  REQUIRE(out.key.load(alg, fido_cred_pubkey_ptr(c), fido_cred_pubkey_len(c)));
  return r;
}

// getAssertion through libfido2, with an allowList when `allow` is non-empty.
inline int get_assertion(fido_dev_t* dev, const std::string& rp, const std::vector<Bytes>& allow, FidoAssert& out) {
  out.reset(fido_assert_new());
  REQUIRE(out);
  std::array<unsigned char, 32> cdh{};
  cdh.fill(0x22);
  REQUIRE(fido_assert_set_clientdata_hash(out.get(), cdh.data(), cdh.size()) == FIDO_OK);
  REQUIRE(fido_assert_set_rp(out.get(), rp.c_str()) == FIDO_OK);
  REQUIRE(fido_assert_set_up(out.get(), FIDO_OPT_TRUE) == FIDO_OK);
  for (const Bytes& id : allow) REQUIRE(fido_assert_allow_cred(out.get(), id.data(), id.size()) == FIDO_OK);
  return fido_dev_get_assert(dev, out.get(), nullptr);
}

}  // namespace vfido::test
