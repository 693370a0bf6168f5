// In-process integration (style.md §15, §18 d): a real key (BackgroundKey: core + CTAPHID +
// socket transports on their own thread) driven by libfido2 through its custom I/O hooks over
// the Unix socket transport, plus raw-report checks of the Unix and UDP transports.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "authenticator/bytes.h"
#include "authenticator/ctap_constants.h"
#include "tests/support/libfido2_key.h"
#include "tools/host/fido_objects.h"
#include "tools/host/fido_unix_io.h"
#include "tools/host/virtual_key.h"
#include "transports/ctaphid/packet.h"

namespace {

using namespace vfido::test;
using vfido::Bytes;
using vfido::ByteSpan;
using vfido::host::FidoCborInfo;
using vfido::transport::ctaphid::Report;

std::vector<std::string> strings(char** p, std::size_t n) { return std::vector<std::string>(p, p + n); }

// --- raw report helpers for the transport tests -------------------------------------------

Report init_request(std::uint32_t cid, const std::array<std::uint8_t, 8>& nonce) {
  auto r = vfido::transport::ctaphid::build_init_packet(cid, static_cast<std::uint8_t>(vfido::ctaphid::Command::kInit),
                                                        static_cast<std::uint16_t>(nonce.size()), nonce);
  REQUIRE(r);
  return *r;
}

// Checks a CTAPHID_INIT response (CTAP 2.1 §11.2.9.1.3) to `nonce` sent on the broadcast CID and
// returns the allocated CID.
std::uint32_t check_init_response(ByteSpan report, const std::array<std::uint8_t, 8>& nonce) {
  REQUIRE(report.size() == vfido::ctaphid::kReportLen);
  vfido::ByteReader rd(report);
  CHECK(*rd.u32be() == vfido::ctaphid::kBroadcastCid);  // answered on the channel it came on
  CHECK(*rd.u8() == (vfido::ctaphid::kInitBit | static_cast<std::uint8_t>(vfido::ctaphid::Command::kInit)));
  CHECK(*rd.u16be() == vfido::ctaphid::kInitResponseLen);  // 17 bytes
  auto echoed = rd.take_array<8>();
  REQUIRE(echoed);
  CHECK(*echoed == nonce);
  std::uint32_t cid = *rd.u32be();
  CHECK(cid != vfido::ctaphid::kBroadcastCid);
  CHECK(cid != vfido::ctaphid::kReservedCid);
  CHECK(*rd.u8() == vfido::ctaphid::kProtocolVersion);
  CHECK(*rd.u8() == 0);  // device version 0.1.0: Server::Options defaults
  CHECK(*rd.u8() == 1);
  CHECK(*rd.u8() == 0);
  std::uint8_t caps = *rd.u8();
  CHECK((caps & vfido::ctaphid::kCapCbor) != 0);
  auto padding = rd.rest();
  CHECK(std::all_of(padding.begin(), padding.end(), [](std::uint8_t b) { return b == 0; }));
  return cid;
}

bool wait_readable(int fd, int ms) {
  pollfd pfd{fd, POLLIN, 0};
  return ::poll(&pfd, 1, ms) == 1;
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

int connect_unix(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  REQUIRE(path.size() < sizeof(addr.sun_path));
  std::memcpy(addr.sun_path, path.data(), path.size());
  REQUIRE(::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0);
  return fd;
}

// Reads one whole 64-byte report from a stream socket within `ms`.
std::optional<Report> read_report(int fd, int ms) {
  Report r{};
  std::size_t got = 0;
  while (got < r.size()) {
    if (!wait_readable(fd, ms)) return std::nullopt;
    ssize_t n = ::recv(fd, r.data() + got, r.size() - got, 0);
    if (n <= 0) return std::nullopt;
    got += static_cast<std::size_t>(n);
  }
  return r;
}

}  // namespace

// The round trip for one algorithm. The algorithm is a parameter rather than an outer SUBCASE:
// doctest 2.4.9 re-runs a test case once more than its nested subcase leaves, entering no outer
// subcase on that extra run.
static void register_and_sign_in(int alg) {
  CAPTURE(alg);
  UnixKey k;
  FidoDev dev = k.open();
  CHECK(fido_dev_is_fido2(dev.get()));

  // A server-side credential: packed self attestation.
  MadeCredential made;
  REQUIRE(make_credential(dev.get(), alg, false, "example.com", "alice", made) == FIDO_OK);
  const fido_cred_t* c = made.cred.get();
  CHECK(std::string(fido_cred_fmt(c)) == "packed");
  CHECK(fido_cred_type(c) == alg);
  CHECK(fido_cred_x5c_len(c) == 0);
  CHECK((fido_cred_flags(c) & CTAP_AUTHDATA_USER_PRESENT) != 0);
  CHECK((fido_cred_flags(c) & CTAP_AUTHDATA_ATT_CRED) != 0);
  CHECK((fido_cred_flags(c) & CTAP_AUTHDATA_USER_VERIFIED) == 0);
  CHECK(bytes_of(fido_cred_aaguid_ptr(c), fido_cred_aaguid_len(c)) ==
        Bytes(vfido::kVfidoAaguid.begin(), vfido::kVfidoAaguid.end()));
  CHECK(fido_cred_verify_self(c) == FIDO_OK);
  // fido_cred_verify wants the certificate of full attestation; self attestation has none.
  CHECK(fido_cred_verify(c) == FIDO_ERR_INVALID_ARGUMENT);

  SUBCASE("allowList") {
    FidoAssert as;
    REQUIRE(get_assertion(dev.get(), "example.com", {made.id}, as) == FIDO_OK);
    REQUIRE(fido_assert_count(as.get()) == 1);
    CHECK(bytes_of(fido_assert_id_ptr(as.get(), 0), fido_assert_id_len(as.get(), 0)) == made.id);
    CHECK((fido_assert_flags(as.get(), 0) & CTAP_AUTHDATA_USER_PRESENT) != 0);
    CHECK((fido_assert_flags(as.get(), 0) & CTAP_AUTHDATA_ATT_CRED) == 0);
    CHECK(fido_assert_verify(as.get(), 0, alg, made.key.get()) == FIDO_OK);

    // The same assertion must not verify under another credential's key.
    MadeCredential other;
    REQUIRE(make_credential(dev.get(), alg, false, "example.com", "mallory", other) == FIDO_OK);
    CHECK(other.id != made.id);
    CHECK(fido_assert_verify(as.get(), 0, alg, other.key.get()) == FIDO_ERR_INVALID_SIG);
  }

  SUBCASE("discoverable, no allowList") {
    MadeCredential rk;
    REQUIRE(make_credential(dev.get(), alg, true, "rk.example", "bob", rk) == FIDO_OK);
    CHECK(fido_cred_verify_self(rk.cred.get()) == FIDO_OK);
    FidoAssert as;
    REQUIRE(get_assertion(dev.get(), "rk.example", {}, as) == FIDO_OK);
    REQUIRE(fido_assert_count(as.get()) == 1);
    CHECK(bytes_of(fido_assert_id_ptr(as.get(), 0), fido_assert_id_len(as.get(), 0)) == rk.id);
    CHECK(bytes_of(fido_assert_user_id_ptr(as.get(), 0), fido_assert_user_id_len(as.get(), 0)) ==
          vfido::to_bytes("uid:bob"));
    CHECK(fido_assert_verify(as.get(), 0, alg, rk.key.get()) == FIDO_OK);
    // The server-side credential of example.com is not discoverable for rk.example.
    CHECK(fido_assert_verify(as.get(), 0, alg, made.key.get()) == FIDO_ERR_INVALID_SIG);
  }
}

TEST_CASE("libfido2: ES256 makeCredential and getAssertion verify, with an allowList and discoverably") {
  register_and_sign_in(COSE_ES256);
}

TEST_CASE("libfido2: EdDSA makeCredential and getAssertion verify, with an allowList and discoverably") {
  register_and_sign_in(COSE_EDDSA);
}

TEST_CASE("libfido2: getInfo through fido_dev_get_cbor_info matches the profile") {
  UnixKey k;
  const vfido::AuthenticatorProfile profile;  // BackgroundKey's default profile
  FidoDev dev = k.open();
  FidoCborInfo ci(fido_cbor_info_new());
  REQUIRE(ci);
  REQUIRE(fido_dev_get_cbor_info(dev.get(), ci.get()) == FIDO_OK);
  const fido_cbor_info_t* c = ci.get();

  CHECK(strings(fido_cbor_info_versions_ptr(c), fido_cbor_info_versions_len(c)) == profile.versions);
  CHECK(strings(fido_cbor_info_transports_ptr(c), fido_cbor_info_transports_len(c)) == profile.transports);
  CHECK(bytes_of(fido_cbor_info_aaguid_ptr(c), fido_cbor_info_aaguid_len(c)) ==
        Bytes(profile.aaguid.begin(), profile.aaguid.end()));
  CHECK(fido_cbor_info_maxmsgsiz(c) == profile.max_msg_size);
  CHECK(fido_cbor_info_maxcredcntlst(c) == profile.max_credential_count_in_list);
  CHECK(fido_cbor_info_maxcredidlen(c) == profile.max_credential_id_length);
  CHECK(fido_cbor_info_fwversion(c) == profile.firmware_version.value_or(0));

  std::vector<std::int64_t> algs;
  for (std::size_t i = 0; i < fido_cbor_info_algorithm_count(c); ++i) {
    CHECK(std::string(fido_cbor_info_algorithm_type(c, i)) == "public-key");
    algs.push_back(fido_cbor_info_algorithm_cose(c, i));
  }
  CHECK(algs == profile.algorithms);

  std::optional<bool> rk;
  char** names = fido_cbor_info_options_name_ptr(c);
  const bool* values = fido_cbor_info_options_value_ptr(c);
  for (std::size_t i = 0; i < fido_cbor_info_options_len(c); ++i) {
    if (std::string(names[i]) == "rk") rk = values[i];
  }
  REQUIRE(rk.has_value());
  CHECK(*rk == profile.resident_keys);
}

TEST_CASE("libfido2: an assertion for an unknown credential fails with FIDO_ERR_NO_CREDENTIALS") {
  UnixKey k;
  FidoDev dev = k.open();
  MadeCredential made;
  REQUIRE(make_credential(dev.get(), COSE_ES256, false, "example.com", "alice", made) == FIDO_OK);

  FidoAssert as;
  SUBCASE("an ID the key never issued") {
    Bytes bogus = made.id;
    for (auto& b : bogus) b ^= 0x5a;
    CHECK(get_assertion(dev.get(), "example.com", {bogus}, as) == FIDO_ERR_NO_CREDENTIALS);
  }
  SUBCASE("a real ID presented for another RP") {
    CHECK(get_assertion(dev.get(), "other.example", {made.id}, as) == FIDO_ERR_NO_CREDENTIALS);
  }
  SUBCASE("no allowList and no discoverable credential") {
    CHECK(get_assertion(dev.get(), "example.com", {}, as) == FIDO_ERR_NO_CREDENTIALS);
  }
  // The key still works afterwards.
  CHECK(get_assertion(dev.get(), "example.com", {made.id}, as) == FIDO_OK);
}

TEST_CASE("libfido2: presence denied gives FIDO_ERR_OPERATION_DENIED") {
  UnixKey k(PresenceMode::kDeny);
  FidoDev dev = k.open();
  FidoCborInfo ci(fido_cbor_info_new());
  REQUIRE(fido_dev_get_cbor_info(dev.get(), ci.get()) == FIDO_OK);  // getInfo needs no touch
  MadeCredential made;
  CHECK(make_credential(dev.get(), COSE_ES256, false, "example.com", "alice", made) == FIDO_ERR_OPERATION_DENIED);
  CHECK(make_credential(dev.get(), COSE_EDDSA, true, "example.com", "bob", made) == FIDO_ERR_OPERATION_DENIED);
}

TEST_CASE("libfido2: two devices open at once on one socket both work") {
  UnixKey k;
  FidoDev a = k.open();
  FidoDev b = k.open();

  MadeCredential from_a;
  MadeCredential from_b;
  REQUIRE(make_credential(a.get(), COSE_ES256, false, "example.com", "alice", from_a) == FIDO_OK);
  REQUIRE(make_credential(b.get(), COSE_EDDSA, true, "example.com", "bob", from_b) == FIDO_OK);

  // Each device uses the other's credential: one key, two channels, reports fanned out to both
  // connections and filtered by CID in libfido2.
  FidoAssert as;
  REQUIRE(get_assertion(b.get(), "example.com", {from_a.id}, as) == FIDO_OK);
  CHECK(fido_assert_verify(as.get(), 0, COSE_ES256, from_a.key.get()) == FIDO_OK);
  REQUIRE(get_assertion(a.get(), "example.com", {from_b.id}, as) == FIDO_OK);
  CHECK(fido_assert_verify(as.get(), 0, COSE_EDDSA, from_b.key.get()) == FIDO_OK);
  REQUIRE(get_assertion(a.get(), "example.com", {}, as) == FIDO_OK);  // discoverable: bob's
  CHECK(bytes_of(fido_assert_id_ptr(as.get(), 0), fido_assert_id_len(as.get(), 0)) == from_b.id);

  // Closing one leaves the other working.
  a.reset();
  CHECK(get_assertion(b.get(), "example.com", {from_a.id}, as) == FIDO_OK);
}

TEST_CASE("unix transport: every client sees every report; INITs get distinct channels") {
  UnixKey k;
  Fd one(connect_unix(k.dir.file("key.sock")));
  Fd two(connect_unix(k.dir.file("key.sock")));
  const std::array<std::uint8_t, 8> n1{1, 2, 3, 4, 5, 6, 7, 8};
  const std::array<std::uint8_t, 8> n2{8, 7, 6, 5, 4, 3, 2, 1};

  // Client one sends its INIT in two pieces: the key must join partial reads.
  Report req1 = init_request(vfido::ctaphid::kBroadcastCid, n1);
  REQUIRE(::send(one.get(), req1.data(), 10, 0) == 10);
  CHECK_FALSE(wait_readable(one.get(), 100));  // nothing until the report is complete
  REQUIRE(::send(one.get(), req1.data() + 10, req1.size() - 10, 0) == static_cast<ssize_t>(req1.size() - 10));
  auto r1_at_one = read_report(one.get(), kTimeoutMs);
  auto r1_at_two = read_report(two.get(), kTimeoutMs);
  REQUIRE(r1_at_one);
  REQUIRE(r1_at_two);
  CHECK(*r1_at_one == *r1_at_two);  // fanned out to both, like hidraw
  std::uint32_t cid1 = check_init_response(*r1_at_one, n1);

  Report req2 = init_request(vfido::ctaphid::kBroadcastCid, n2);
  REQUIRE(::send(two.get(), req2.data(), req2.size(), 0) == static_cast<ssize_t>(req2.size()));
  auto r2_at_one = read_report(one.get(), kTimeoutMs);
  auto r2_at_two = read_report(two.get(), kTimeoutMs);
  REQUIRE(r2_at_one);
  REQUIRE(r2_at_two);
  CHECK(*r2_at_one == *r2_at_two);
  std::uint32_t cid2 = check_init_response(*r2_at_two, n2);
  CHECK(cid1 != cid2);
}

TEST_CASE("unix transport: the socket is 0600, a stale file is replaced, and stop removes it") {
  TempDir dir;
  const std::string path = dir.file("key.sock");
  {
    // A stale socket file: bound, never listened on, owner gone.
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.data(), path.size());
    REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0);
    ::close(fd);
  }
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);

  BackgroundKey key;
  key.add_unix(path);
  key.start();
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  CHECK(S_ISSOCK(st.st_mode));
  CHECK((st.st_mode & 0777) == 0600);

  // A second server on a live socket is refused, and the live socket is left alone.
  BackgroundKey second;
  CHECK_THROWS(second.add_unix(path));
  CHECK(::lstat(path.c_str(), &st) == 0);

  int r = FIDO_ERR_INTERNAL;
  FidoDev dev = vfido::host::open_unix_device(path, &r, kTimeoutMs);
  CHECK(r == FIDO_OK);
  dev.reset();

  key.stop();
  CHECK(::lstat(path.c_str(), &st) != 0);  // removed on shutdown
  CHECK_FALSE(vfido::host::open_unix_device(path, &r, kTimeoutMs));
}

TEST_CASE("udp transport: INIT round trip, report-ID prefix stripped, junk datagrams dropped") {
  // The test's own socket plays the host: the key sends its reports here.
  Fd host(::socket(AF_INET, SOCK_DGRAM, 0));
  REQUIRE(host.get() >= 0);
  sockaddr_in host_addr{};
  host_addr.sin_family = AF_INET;
  host_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  host_addr.sin_port = 0;
  REQUIRE(::bind(host.get(), reinterpret_cast<const sockaddr*>(&host_addr), sizeof(host_addr)) == 0);
  socklen_t len = sizeof(host_addr);
  REQUIRE(::getsockname(host.get(), reinterpret_cast<sockaddr*>(&host_addr), &len) == 0);

  BackgroundKey key;
  vfido::transport::udp::Options opts;
  opts.port = 0;  // ephemeral
  opts.peer_port = ntohs(host_addr.sin_port);
  std::uint16_t key_port = key.add_udp(opts);
  REQUIRE(key_port != 0);
  key.start();

  sockaddr_in key_addr{};
  key_addr.sin_family = AF_INET;
  key_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  key_addr.sin_port = htons(key_port);
  auto send_datagram = [&](const std::uint8_t* p, std::size_t n) {
    REQUIRE(::sendto(host.get(), p, n, 0, reinterpret_cast<const sockaddr*>(&key_addr), sizeof(key_addr)) ==
            static_cast<ssize_t>(n));
  };
  auto receive = [&]() -> Bytes {
    if (!wait_readable(host.get(), kTimeoutMs)) return {};
    std::array<std::uint8_t, 256> buf{};
    ssize_t n = ::recv(host.get(), buf.data(), buf.size(), 0);
    REQUIRE(n >= 0);
    return Bytes(buf.begin(), buf.begin() + n);
  };

  const std::array<std::uint8_t, 8> nonce{0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02, 0x03};
  Report init = init_request(vfido::ctaphid::kBroadcastCid, nonce);

  SUBCASE("a plain 64-byte report") {
    send_datagram(init.data(), init.size());
    Bytes resp = receive();
    REQUIRE(resp.size() == vfido::ctaphid::kReportLen);  // one report per datagram
    check_init_response(resp, nonce);
  }
  SUBCASE("a 65-byte report with report ID 0 in front") {
    vfido::ByteWriter w(init.size() + 1);
    w.u8(0x00).bytes(init);
    const Bytes prefixed = std::move(w).take();
    send_datagram(prefixed.data(), prefixed.size());
    Bytes resp = receive();
    REQUIRE(resp.size() == vfido::ctaphid::kReportLen);
    check_init_response(resp, nonce);
  }
  SUBCASE("junk first, then a good report") {
    const std::uint8_t junk[3] = {1, 2, 3};
    send_datagram(junk, sizeof(junk));
    Bytes big(65, 0xff);  // 65 bytes not starting with 0x00
    send_datagram(big.data(), big.size());
    Bytes huge(1000, 0x00);
    send_datagram(huge.data(), huge.size());
    CHECK_FALSE(wait_readable(host.get(), 200));  // all dropped, nothing answered
    send_datagram(init.data(), init.size());
    Bytes resp = receive();
    REQUIRE(resp.size() == vfido::ctaphid::kReportLen);
    check_init_response(resp, nonce);
  }
  key.stop();
}
