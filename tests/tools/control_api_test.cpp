// The control API over a real Unix socket (tools/host/control_api.h, control_server.h): every
// method, and bad input — malformed JSON, unknown methods and members, wrong types, oversized
// lines, clients that hang up mid-request or crowd the daemon — none of which may stop it.
#include <doctest/doctest.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <optional>
#include <thread>
#include <vector>

#include "authenticator/crypto/keys.h"
#include "authenticator/crypto/pkcs8.h"
#include "authenticator/env/rng.h"
#include "authenticator/base64.h"
#include "tests/tools/control_test_support.h"

using namespace vfido;
using namespace vfido::test;
using vfido::base64url_encode;

namespace {

std::string b64(ByteSpan b) { return base64url_encode(b); }

// A fresh private key as base64url PKCS #8, and the key.
struct TestKey {
  crypto::PrivateKey key;
  std::string pkcs8;
};
TestKey test_key(std::int64_t alg = cose::kAlgEs256) {
  OpenSslRng rng;
  auto key = crypto::PrivateKey::generate(alg, rng);
  REQUIRE(key.has_value());
  auto der = crypto::private_key_to_pkcs8(*key);
  REQUIRE(der.has_value());
  return TestKey{std::move(*key), b64(der->expose())};
}

json resident_params(const TestKey& k, const Bytes& id) {
  return json{{"credentialId", b64(id)},       {"isResidentCredential", true}, {"rpId", "example.com"},
              {"privateKey", k.pkcs8},         {"userHandle", b64(Bytes{7, 7})}, {"userName", "ann"},
              {"userDisplayName", "Ann"},      {"signCount", 5}};
}

// The raw response line for a raw request line, on a fresh connection.
std::string raw(ApiDaemon& d, const std::string& line) {
  auto c = d.client();
  auto r = c.exchange(line, 5000);
  REQUIRE_MESSAGE(r.has_value(), r.error());
  return *r;
}

json raw_json(ApiDaemon& d, const std::string& line) { return json::parse(raw(d, line)); }

int connect_fd(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  REQUIRE(::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0);
  return fd;
}

// A selection request (0x0B) that waits for a touch, sent to k's core on the daemon's thread;
// the reply lands in *reply.
void ask_for_touch(ApiDaemon& d, const std::string& key_id, std::optional<Bytes>* reply) {
  d.on_daemon([&] {
    auto out = d.daemon->keys().find(key_id)->key->authenticator().handle(Bytes{0x0B}, [reply](Bytes b) { *reply = b; });
    REQUIRE_FALSE(out.has_value());  // waits
    return 0;
  });
}

bool eventually(const std::function<bool()>& cond, int ms = 3000) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!cond()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace

TEST_CASE("control api: the socket is the owner's only (0600)") {
  ApiDaemon d;
  struct stat st {};
  REQUIRE(::stat(d.dir.file("control.sock").c_str(), &st) == 0);
  CHECK(S_ISSOCK(st.st_mode));
  CHECK((st.st_mode & 0777) == 0600);
  d.stop();
  CHECK(::stat(d.dir.file("control.sock").c_str(), &st) != 0);  // removed on shutdown
}

TEST_CASE("control api: status, listAuthenticators, getInfo") {
  ApiDaemon d;
  json s = d.result("status");
  CHECK(s["instance"] == "test");
  CHECK(s["pid"] == ::getpid());
  CHECK(s["authenticators"] == json::array({"k1"}));
  CHECK(s["pending"] == 0);
  CHECK(s["uhid"] == false);

  json list = d.result("listAuthenticators");
  REQUIRE(list["authenticators"].size() == 1);
  json k = list["authenticators"][0];
  CHECK(k["authenticatorId"] == "k1");
  CHECK(k["profile"] == "vfido");
  CHECK(k["aaguid"] == "3d92011f-b552-406d-b137-63434ee000d5");
  CHECK(k["protocol"] == "ctap2_1");
  CHECK(k["unix"] == json::array({d.dir.file("k1.sock")}));
  CHECK(k["uhid"].is_null());
  CHECK(k["presence"] == "approve");
  CHECK(k["credentials"] == 0);
  CHECK(d.result("getInfo") == k);  // one key: authenticatorId may be left out
  CHECK(d.result("getInfo", {{"authenticatorId", "k1"}}) == k);
  CHECK(d.error("getInfo", {{"authenticatorId", "k9"}})["message"].get<std::string>().find("no authenticator \"k9\"") == 0);
}

TEST_CASE("control api: malformed and hostile requests get errors, never a crash") {
  ApiDaemon d;
  auto code_of = [&](const std::string& line) { return raw_json(d, line)["error"]["code"].get<std::string>(); };
  CHECK(code_of("{") == "parse error");
  CHECK(code_of("not json") == "parse error");
  CHECK(code_of("{\"method\":\"status\"} trailing") == "parse error");
  CHECK(code_of("{\"method\":\"status\",\"method\":\"status\"}") == "parse error");  // duplicate member
  CHECK(code_of(std::string(200, '[') + std::string(200, ']')) == "parse error");   // nesting
  CHECK(code_of("{\"method\":\"st\xff\xfe\"}") == "parse error");                      // not UTF-8
  CHECK(code_of("[]") == "invalid request");
  CHECK(code_of("42") == "invalid request");
  CHECK(code_of("{}") == "invalid request");
  CHECK(code_of("{\"method\":5}") == "invalid request");
  CHECK(code_of("{\"method\":\"status\",\"extra\":1}") == "invalid request");
  CHECK(code_of("{\"method\":\"status\",\"params\":[]}") == "invalid request");
  CHECK(code_of("{\"method\":\"status\",\"id\":{}}") == "invalid request");
  json unknown = raw_json(d, "{\"id\":\"a1\",\"method\":\"rebootTheWorld\"}");
  CHECK(unknown["id"] == "a1");
  CHECK(unknown["error"]["code"] == "unknown command");
  CHECK(unknown["error"]["message"].get<std::string>().find("addVirtualAuthenticator") != std::string::npos);
  // The id comes back as sent; a parse error has none to echo.
  CHECK(raw_json(d, "{\"id\":12,\"method\":\"status\"}")["id"] == 12);
  CHECK(raw_json(d, "{\"id\":null,\"method\":\"status\"}").contains("result"));
  CHECK(raw_json(d, "{")["id"].is_null());

  // Parameters: unknown names and wrong types are named.
  json e = d.error("getCredentials", {{"authenticatorID", "k1"}});
  CHECK(e["code"] == "invalid argument");
  CHECK(e["message"] == "getCredentials: unknown parameter \"authenticatorID\"");
  e = d.error("getCredentials", {{"authenticatorId", 1}});
  CHECK(e["message"] == "getCredentials: \"authenticatorId\" must be a string, not an integer");
  e = d.error("setUserVerified", json::object());
  CHECK(e["message"] == "setUserVerified: \"isUserVerified\" is required");
  e = d.error("setUserVerified", {{"isUserVerified", "yes"}});
  CHECK(e["message"] == "setUserVerified: \"isUserVerified\" must be true or false, not a string");
  CHECK(d.error("removeCredential", {{"credentialId", "not base64url!"}})["message"] ==
        "removeCredential: \"credentialId\" is not base64url (RFC 4648 §5, without padding)");
  CHECK(d.error("removeCredential", {{"credentialId", "AAAA="}})["code"] == "invalid argument");

  // Several requests on one connection, blank lines and CRLF included.
  auto c = d.client();
  CHECK(json::parse(*c.exchange("{\"id\":1,\"method\":\"status\"}\r"))["id"] == 1);
  CHECK(json::parse(*c.exchange("\n{\"id\":2,\"method\":\"status\"}"))["id"] == 2);
  CHECK(d.result("status")["pending"] == 0);  // still serving
}

TEST_CASE("control api: an oversized line is refused and its connection closed; others carry on") {
  ApiDaemon d;
  auto c = d.client();
  std::string huge(host::ControlServer::kMaxLine + 10, 'x');
  auto r = c.exchange(huge, 10000);
  REQUIRE(r.has_value());
  json e = json::parse(*r);
  CHECK(e["error"]["code"] == "invalid request");
  CHECK(e["error"]["message"].get<std::string>().find("longer than 1048576 bytes") != std::string::npos);
  CHECK_FALSE(c.exchange("{\"method\":\"status\"}", 2000).has_value());  // closed
  CHECK(d.result("status")["instance"] == "test");
}

TEST_CASE("control api: clients that hang up mid-request, stay silent or crowd in do not wedge the daemon") {
  ApiDaemon d;
  // Half a request, then gone.
  for (int i = 0; i < 5; ++i) {
    int fd = connect_fd(d.dir.file("control.sock"));
    const std::string half = "{\"method\":\"getCredentials\",\"par";
    REQUIRE(::send(fd, half.data(), half.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(half.size()));
    ::close(fd);
  }
  // A request whose sender closes before reading the answer.
  {
    int fd = connect_fd(d.dir.file("control.sock"));
    const std::string full = "{\"method\":\"listAuthenticators\"}\n";
    REQUIRE(::send(fd, full.data(), full.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(full.size()));
    ::close(fd);
  }
  // A silent client stays connected while others are served.
  int silent = connect_fd(d.dir.file("control.sock"));
  CHECK(d.result("status")["instance"] == "test");
  // Up to kMaxClients at once; one more is told so.
  std::vector<host::ControlClient> crowd;
  for (std::size_t i = 1; i < host::ControlServer::kMaxClients; ++i) {
    crowd.push_back(d.client());
    REQUIRE(crowd.back().call("status", json::object()).has_value());  // each is served
  }
  auto extra = d.client();
  auto refused = extra.exchange("{\"method\":\"status\"}", 3000);
  REQUIRE(refused.has_value());
  CHECK(json::parse(*refused)["error"]["message"].get<std::string>().find("too many control clients") == 0);
  crowd.clear();
  ::close(silent);
  CHECK(eventually([&] {
    auto c = host::ControlClient::connect(d.dir.file("control.sock"));
    if (!c) return false;
    auto r = c->call("status", json::object(), 1000);
    return r && r->contains("result");
  }));
}

TEST_CASE("control api: an idle connection is closed; a busy one is not") {
  ApiDaemon d;
  d.on_daemon([&] {
    d.daemon->control_server()->set_idle_timeout(std::chrono::milliseconds(300));
    return 0;
  });
  auto idle = d.client();
  auto busy = d.client();
  for (int i = 0; i < 6; ++i) {  // 600 ms of requests, 100 ms apart
    REQUIRE(busy.call("status", json::object()).has_value());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK_FALSE(idle.exchange("{\"method\":\"status\"}", 1000).has_value());  // closed
  CHECK(busy.call("status", json::object()).has_value());
}

TEST_CASE("control api: addVirtualAuthenticator and removeVirtualAuthenticator") {
  ApiDaemon d;
  const std::string sock = d.dir.file("second.sock");
  json k2 = d.result("addVirtualAuthenticator", {{"profile", "yubikey-like"},
                                                  {"unixSocket", sock},
                                                  {"protocol", "ctap2"},
                                                  {"transport", "usb"},
                                                  {"isUserConsenting", false},
                                                  {"userVerification", "api"},
                                                  {"hasResidentKey", true}});
  CHECK(k2["authenticatorId"] == "k2");
  CHECK(k2["profile"] == "yubikey-like");
  CHECK(k2["presence"] == "deny");
  CHECK(k2["userVerification"] == "api");
  CHECK(k2["unix"] == json::array({sock}));
  struct stat st {};
  CHECK(::stat(sock.c_str(), &st) == 0);
  CHECK(d.result("listAuthenticators")["authenticators"].size() == 2);
  // Two keys: methods on one of them need its id now.
  CHECK(d.error("getCredentials")["message"].get<std::string>().find("has 2 authenticators") != std::string::npos);
  // Without a socket named, a daemon without uhid gives the key one of its own.
  json k3 = d.result("addVirtualAuthenticator", {{"defaultBackupEligibility", true}, {"defaultBackupState", true}});
  CHECK(k3["unix"] == json::array({d.dir.path() + "/test-k3.sock"}));
  CHECK(k3["defaultBackupState"] == true);

  SUBCASE("what addVirtualAuthenticator refuses") {
    auto message = [&](const json& p) { return d.error("addVirtualAuthenticator", p)["message"].get<std::string>(); };
    CHECK(message({{"profile", "no-such-profile"}}).find("profile: ") == 0);
    CHECK(d.error("addVirtualAuthenticator", {{"protocol", "ctap1/u2f"}})["code"] == "unsupported operation");
    CHECK(message({{"protocol", "ctap3"}}).find("protocol must be") == 0);
    CHECK(d.error("addVirtualAuthenticator", {{"transport", "nfc"}})["code"] == "unsupported operation");
    CHECK(message({{"transport", "carrier-pigeon"}}).find("transport must be") == 0);
    CHECK(d.error("addVirtualAuthenticator", {{"presence", "prompt"}})["code"] == "unsupported operation");
    CHECK(message({{"presence", "sometimes"}}).find("must be approve, deny, prompt or api") != std::string::npos);
    CHECK(message({{"presence", "api"}, {"isUserConsenting", true}}) == "give isUserConsenting or presence, not both");
    CHECK(d.error("addVirtualAuthenticator", {{"uhid", true}})["code"] == "unsupported operation");
    CHECK(message({{"extensions", json::array({"bogus"})}}).find("the resulting model is invalid") == 0);
    CHECK(message({{"defaultBackupState", true}}).find("the resulting model is invalid") == 0);
    CHECK(message({{"aaguid", "nope"}}).find("aaguid: ") == 0);
    CHECK(message({{"unixSocket", sock}}).find("cannot listen on unix") == 0);  // k2 is there
    CHECK(d.result("listAuthenticators")["authenticators"].size() == 3);       // nothing added
  }

  CHECK(d.result("removeVirtualAuthenticator", {{"authenticatorId", "k2"}}).is_null());
  CHECK(::stat(sock.c_str(), &st) != 0);  // its socket is gone at once
  CHECK(d.error("removeVirtualAuthenticator", {{"authenticatorId", "k2"}})["code"] == "invalid argument");
  CHECK(d.error("removeVirtualAuthenticator")["message"] == "removeVirtualAuthenticator: \"authenticatorId\" is required");
  json ids = d.result("status")["authenticators"];
  CHECK(ids == json::array({"k1", "k3"}));
  // Ids are not reused.
  CHECK(d.result("addVirtualAuthenticator", {{"unixSocket", sock}})["authenticatorId"] == "k4");
}

TEST_CASE("control api: addCredential, getCredentials, removeCredential, removeAllCredentials") {
  ApiDaemon d;
  TestKey k = test_key();
  const Bytes id(16, 0xA5);
  json p = resident_params(k, id);
  p["largeBlob"] = b64(to_bytes("a large, per-credential blob"));
  CHECK(d.result("addCredential", p).is_null());
  TestKey ed = test_key(cose::kAlgEdDsa);
  const Bytes id2(24, 0x5A);
  CHECK(d.result("addCredential", {{"credentialId", b64(id2)},
                                   {"isResidentCredential", false},
                                   {"rpId", "login.example.org"},
                                   {"privateKey", ed.pkcs8},
                                   {"signCount", 0},
                                   {"algorithm", cose::kAlgEdDsa}})
            .is_null());

  json creds = d.result("getCredentials")["credentials"];
  REQUIRE(creds.size() == 2);
  json c = creds[1];  // newest first: the resident one was first
  CHECK(c["credentialId"] == b64(id));
  CHECK(c["isResidentCredential"] == true);
  CHECK(c["rpId"] == "example.com");
  CHECK(c["privateKey"] == k.pkcs8);
  CHECK(c["userHandle"] == b64(Bytes{7, 7}));
  CHECK(c["userName"] == "ann");
  CHECK(c["userDisplayName"] == "Ann");
  CHECK(c["signCount"] == 5);
  CHECK(c["backupEligibility"] == false);
  CHECK(c["backupState"] == false);
  CHECK(c["algorithm"] == cose::kAlgEs256);
  CHECK(c["largeBlob"] == b64(to_bytes("a large, per-credential blob")));
  json s = creds[0];
  CHECK(s["credentialId"] == b64(id2));
  CHECK(s["isResidentCredential"] == false);
  CHECK_FALSE(s.contains("userHandle"));
  CHECK_FALSE(s.contains("largeBlob"));
  CHECK(s["privateKey"] == ed.pkcs8);

  SUBCASE("what addCredential refuses") {
    auto refused = [&](json q) { return d.error("addCredential", q)["message"].get<std::string>(); };
    json q = resident_params(k, Bytes(16, 1));
    q.erase("signCount");
    CHECK(refused(q) == "addCredential: \"signCount\" is required");
    q["signCount"] = -1;
    CHECK(refused(q).find("\"signCount\" must be an integer from 0 to 4294967295") != std::string::npos);
    q["signCount"] = 1.5;
    CHECK(refused(q).find("\"signCount\" must be an integer") != std::string::npos);
    q["signCount"] = 4294967296ULL;
    CHECK(refused(q).find("\"signCount\" must be an integer") != std::string::npos);
    q["signCount"] = nullptr;
    CHECK(d.error("addCredential", q)["code"] == "unsupported operation");
    q["signCount"] = 0;
    q["credentialId"] = b64(Bytes(8, 1));
    CHECK(refused(q) == "credentialId must be 16 to 128 bytes (this one has 8)");
    q["credentialId"] = b64(Bytes(16, 1));
    q["privateKey"] = b64(to_bytes("garbage"));
    CHECK(refused(q).find("privateKey is not") == 0);
    q["privateKey"] = k.pkcs8;
    q["algorithm"] = cose::kAlgEdDsa;
    CHECK(refused(q) == "privateKey is an ES256 key, not EdDSA");
    q.erase("algorithm");
    q["rpId"] = "EXAMPLE.com";
    CHECK(refused(q).find("rpId \"EXAMPLE.com\" is not a valid domain string") == 0);
    q["rpId"] = "example.com";
    q.erase("userHandle");
    CHECK(refused(q).find("userHandle must be 1 to 64 bytes") == 0);
    q["userHandle"] = 7;
    CHECK(refused(q).find("must be a string") != std::string::npos);
    CHECK(d.result("getCredentials")["credentials"].size() == 2);  // nothing was added
  }

  CHECK(d.result("removeCredential", {{"credentialId", b64(id2)}}).is_null());
  CHECK(d.error("removeCredential", {{"credentialId", b64(id2)}})["message"].get<std::string>().find(
            "holds no credential") != std::string::npos);
  CHECK(d.result("getCredentials")["credentials"].size() == 1);
  CHECK(d.result("getInfo")["credentials"] == 1);
  CHECK(d.result("removeAllCredentials").is_null());
  CHECK(d.result("getCredentials")["credentials"].empty());
}

TEST_CASE("control api: setBackupState and setCredentialProperties flip BS of a backup-eligible credential only") {
  ApiDaemon d;
  TestKey k = test_key();
  json synced = resident_params(k, Bytes(16, 1));
  synced["backupEligibility"] = true;
  REQUIRE(d.result("addCredential", synced).is_null());
  json bound = resident_params(k, Bytes(16, 2));
  bound["userHandle"] = b64(Bytes{2});
  REQUIRE(d.result("addCredential", bound).is_null());
  auto bs_of = [&](const Bytes& id) {
    const json creds = d.result("getCredentials")["credentials"];
    for (const json& c : creds) {
      if (c["credentialId"] == b64(id)) return c["backupState"].get<bool>();
    }
    FAIL("no such credential");
    return false;
  };
  CHECK_FALSE(bs_of(Bytes(16, 1)));
  CHECK(d.result("setBackupState", {{"credentialId", b64(Bytes(16, 1))}, {"backupState", true}})["backupState"] == true);
  CHECK(bs_of(Bytes(16, 1)));
  CHECK(d.result("setCredentialProperties", {{"credentialId", b64(Bytes(16, 1))}, {"backupState", false}})
            ["backupState"] == false);
  CHECK_FALSE(bs_of(Bytes(16, 1)));
  CHECK(d.error("setBackupState", {{"credentialId", b64(Bytes(16, 2))}, {"backupState", true}})["message"]
            .get<std::string>()
            .find("is not backup eligible (BE=0)") != std::string::npos);
  CHECK(d.error("setBackupState", {{"credentialId", b64(Bytes(16, 3))}, {"backupState", true}})["message"]
            .get<std::string>()
            .find("holds no credential") != std::string::npos);
  CHECK(d.error("setCredentialProperties", {{"credentialId", b64(Bytes(16, 2))}, {"backupEligibility", true}})["code"] ==
        "unsupported operation");
  CHECK(d.error("setCredentialProperties", {{"credentialId", b64(Bytes(16, 1))}, {"signCount", 3}})["code"] ==
        "unsupported operation");
  CHECK(d.error("setBackupState", {{"credentialId", b64(Bytes(16, 1))}})["message"] ==
        "setBackupState: \"backupState\" is required");
}

TEST_CASE("control api: setUserVerified and setPresenceMode") {
  ApiDaemon d;
  CHECK(d.result("setUserVerified", {{"isUserVerified", false}}).is_null());
  CHECK(d.result("getInfo")["userVerification"] == "deny");
  CHECK(d.result("getInfo")["isUserVerified"] == false);
  json modes = d.result("setPresenceMode", {{"presence", "api"}});
  CHECK(modes["presence"] == "api");
  CHECK(modes["userVerification"] == "deny");
  CHECK(d.result("setPresenceMode", {{"userVerification", "approve"}})["presence"] == "api");
  CHECK(d.error("setPresenceMode")["message"] == "setPresenceMode: give \"presence\" and/or \"userVerification\"");
  CHECK(d.error("setPresenceMode", {{"presence", "prompt"}})["code"] == "unsupported operation");  // no terminal
  CHECK(d.error("setPresenceMode", {{"presence", 1}})["code"] == "invalid argument");
}

TEST_CASE("control api: getPending and answerPending answer the request waiting for the user") {
  host::KeySpec spec;
  spec.presence = host::PresenceMode::kApi;
  ApiDaemon d(spec);
  CHECK(d.result("getPending")["requests"].empty());
  CHECK(d.error("answerPending", {{"approve", true}})["message"] == "no request is waiting for an answer");

  for (bool approve : {true, false}) {
    CAPTURE(approve);
    std::optional<Bytes> reply;
    ask_for_touch(d, "k1", &reply);
    json pending = d.result("getPending")["requests"];
    REQUIRE(pending.size() == 1);
    CHECK(pending[0]["authenticatorId"] == "k1");
    CHECK(pending[0]["purpose"] == "selection");
    CHECK(pending[0]["description"] == "selection");
    CHECK(pending[0]["via"] == "api");
    CHECK(pending[0]["userVerification"] == false);
    CHECK(d.result("getInfo")["pending"] == 1);
    json answered = d.result("answerPending", {{"approve", approve}});
    CHECK(answered["requestId"] == pending[0]["requestId"]);
    REQUIRE(eventually([&] { return d.on_daemon([&] { return reply.has_value(); }); }));
    const Bytes got = d.on_daemon([&] { return *reply; });
    CHECK(got == Bytes{static_cast<std::uint8_t>(approve ? CtapStatus::kOk : CtapStatus::kOperationDenied)});
    CHECK(d.result("getPending")["requests"].empty());
  }

  SUBCASE("a request the host cancels leaves the API") {
    std::optional<Bytes> reply;
    ask_for_touch(d, "k1", &reply);
    const auto id = d.result("getPending")["requests"][0]["requestId"].get<std::uint64_t>();
    d.on_daemon([&] {
      d.daemon->keys().find("k1")->key->authenticator().cancel();  // CTAPHID_CANCEL
      return 0;
    });
    CHECK(d.result("getPending")["requests"].empty());
    CHECK(d.error("answerPending", {{"requestId", id}, {"approve", true}})["message"].get<std::string>().find(
              "is waiting (answered, or withdrawn") != std::string::npos);
    CHECK(d.on_daemon([&] { return *reply; }) == Bytes{static_cast<std::uint8_t>(CtapStatus::kKeepaliveCancel)});
  }
  SUBCASE("powerCycle withdraws it too") {
    std::optional<Bytes> reply;
    ask_for_touch(d, "k1", &reply);
    CHECK(d.result("powerCycle").is_null());
    CHECK(d.result("getPending")["requests"].empty());
    CHECK(d.on_daemon([&] { return *reply; }) == Bytes{static_cast<std::uint8_t>(CtapStatus::kKeepaliveCancel)});
  }
  SUBCASE("several keys waiting: answerPending needs the request id") {
    json k2 = d.result("addVirtualAuthenticator", {{"presence", "api"}});
    std::optional<Bytes> r1;
    std::optional<Bytes> r2;
    ask_for_touch(d, "k1", &r1);
    ask_for_touch(d, "k2", &r2);
    json pending = d.result("getPending")["requests"];
    REQUIRE(pending.size() == 2);
    CHECK(d.result("getPending", {{"authenticatorId", "k2"}})["requests"].size() == 1);
    CHECK(d.error("answerPending", {{"approve", true}})["message"].get<std::string>().find("2 requests are waiting") == 0);
    CHECK(d.error("answerPending", {{"requestId", pending[0]["requestId"]}, {"authenticatorId", "k2"}, {"approve", true}})
              ["code"] == "invalid argument");
    CHECK(d.result("answerPending", {{"authenticatorId", "k2"}, {"approve", false}})["requestId"] ==
          pending[1]["requestId"]);
    CHECK(d.result("answerPending", {{"requestId", pending[0]["requestId"]}, {"approve", true}})["approved"] == true);
    CHECK(eventually([&] { return d.on_daemon([&] { return r1.has_value() && r2.has_value(); }); }));
    // Removing a key withdraws what it asked.
    ask_for_touch(d, "k2", &r2);
    CHECK(d.result("getPending")["requests"].size() == 1);
    CHECK(d.result("removeVirtualAuthenticator", {{"authenticatorId", "k2"}}).is_null());
    CHECK(d.result("getPending")["requests"].empty());
  }
}

TEST_CASE("control api: a request nobody answers times out with the spec's error and leaves the API") {
  host::KeySpec spec;
  spec.presence = host::PresenceMode::kApi;
  spec.profile.up_timeout_ms = 300;
  ApiDaemon d(spec);
  std::optional<Bytes> reply;
  ask_for_touch(d, "k1", &reply);
  CHECK(d.result("getPending")["requests"].size() == 1);
  REQUIRE(eventually([&] { return d.on_daemon([&] { return reply.has_value(); }); }));
  // CTAP 2.1 §6.9 authenticatorSelection: no touch in time -> CTAP2_ERR_USER_ACTION_TIMEOUT.
  CHECK(d.on_daemon([&] { return *reply; }) == Bytes{static_cast<std::uint8_t>(CtapStatus::kUserActionTimeout)});
  CHECK(d.result("getPending")["requests"].empty());
}
