// A virtual key on a Unix socket for the libfido2 integration tests (style.md §15): a
// BackgroundKey (core + CTAPHID + socket transports on their own thread) in a fresh temporary
// directory, opened through libfido2's custom I/O hooks.
#pragma once

#include <doctest/doctest.h>

#include <stdlib.h>
#include <unistd.h>

#include <string>
#include <utility>
#include <vector>

#include "authenticator/bytes.h"
#include "tools/host/fido_objects.h"
#include "tools/host/fido_unix_io.h"
#include "tools/host/virtual_key.h"

namespace vfido::test {

inline constexpr int kTimeoutMs = 5000;  // every libfido2 call; a failure must not hang the suite

// A unique directory for sockets (mkdtemp), removed with its contents' socket at the end.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string templ = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/vfido-test-XXXXXX";
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    REQUIRE(::mkdtemp(buf.data()) != nullptr);
    path_ = buf.data();
  }
  ~TempDir() {
    ::unlink(socket().c_str());
    ::rmdir(path_.c_str());
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string socket() const { return path_ + "/key.sock"; }

 private:
  std::string path_;
};

// A key on a Unix socket in a fresh temporary directory.
struct UnixKey {
  explicit UnixKey(host::PresenceMode presence = host::PresenceMode::kApprove) : UnixKey(options(presence)) {}
  explicit UnixKey(host::KeyOptions options) : key(std::move(options)) {
    key.add_unix(dir.socket());
    key.start();
  }
  static host::KeyOptions options(host::PresenceMode presence) {
    host::KeyOptions o;
    o.presence = presence;
    return o;
  }
  host::FidoDev open() {
    int r = FIDO_ERR_INTERNAL;
    host::FidoDev dev = host::open_unix_device(dir.socket(), &r, kTimeoutMs);
    INFO("fido_dev_open: " << host::fido_error_text(r));
    REQUIRE(dev);
    return dev;
  }

  TempDir dir;  // declared first: the socket file is gone before the directory is removed
  host::BackgroundKey key;
};

inline Bytes bytes_of(const unsigned char* p, std::size_t n) { return p == nullptr ? Bytes{} : Bytes(p, p + n); }

}  // namespace vfido::test
