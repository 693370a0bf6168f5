// The vfido command line around stores, run as the user runs it: `vfido serve --store` (driven
// by libfido2 over its Unix socket), `vfido vault create|list`, `vfido creds
// list|show|delete|export|import|set-backup-state`, and their errors.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "authenticator/base64.h"
#include "tests/support/libfido2_key.h"

using namespace vfido;
using namespace vfido::test;

namespace {

struct Run {
  int status = -1;
  std::string out;
  std::string err;
};

std::string read_all(int fd) {
  std::string s;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<std::size_t>(n));
  return s;
}

// Runs vfido with `args` in `env_dir` as XDG_DATA_HOME (and `runtime` as XDG_RUNTIME_DIR when
// given) and waits for it.
Run run_vfido(const std::vector<std::string>& args, const std::string& data_home, const std::string& runtime = "") {
  int out[2];
  int err[2];
  REQUIRE(::pipe(out) == 0);
  REQUIRE(::pipe(err) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    ::close(out[0]);
    ::close(err[0]);
    ::setenv("XDG_DATA_HOME", data_home.c_str(), 1);
    if (!runtime.empty()) ::setenv("XDG_RUNTIME_DIR", runtime.c_str(), 1);
    std::vector<char*> argv;
    std::string bin = VFIDO_BINARY;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(err[1]);
  Run r;
  std::thread t([&] { r.err = read_all(err[0]); });
  r.out = read_all(out[0]);
  t.join();
  ::close(out[0]);
  ::close(err[0]);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// `vfido serve --unix SOCKET ...` (or another subcommand that runs a key) in the background
// until stop(); `runtime` is its XDG_RUNTIME_DIR when not empty.
class Serve {
 public:
  Serve(const std::vector<std::string>& args, const std::string& data_home, const std::string& socket,
        const std::string& subcommand = "serve", const std::string& runtime = "")
      : socket_(socket) {
    int out[2];
    REQUIRE(::pipe(out) == 0);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      ::close(out[0]);
      ::setenv("XDG_DATA_HOME", data_home.c_str(), 1);
      if (!runtime.empty()) ::setenv("XDG_RUNTIME_DIR", runtime.c_str(), 1);
      std::vector<std::string> all = {VFIDO_BINARY, subcommand, "--unix", socket};
      all.insert(all.end(), args.begin(), args.end());
      std::vector<char*> argv;
      for (auto& a : all) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(VFIDO_BINARY, argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    out_ = out[0];
    // Wait for the "listening" line.
    std::string seen;
    for (int i = 0; i < 100 && seen.find("listening on unix") == std::string::npos; ++i) {
      pollfd pfd{out_, POLLIN, 0};
      if (::poll(&pfd, 1, 100) == 1) {
        char buf[512];
        ssize_t n = ::read(out_, buf, sizeof buf);
        if (n <= 0) break;
        seen.append(buf, static_cast<std::size_t>(n));
      }
    }
    output_ = seen;
    REQUIRE_MESSAGE(seen.find("listening on unix") != std::string::npos, "vfido serve did not start: " << seen);
  }
  ~Serve() { stop(); }
  Serve(const Serve&) = delete;
  Serve& operator=(const Serve&) = delete;

  host::FidoDev open() {
    int r = FIDO_ERR_INTERNAL;
    host::FidoDev dev = host::open_unix_device(socket_, &r, kTimeoutMs);
    INFO("fido_dev_open: " << host::fido_error_text(r));
    REQUIRE(dev);
    return dev;
  }
  const std::string& output() const { return output_; }
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    ::close(out_);
    pid_ = -1;
  }

 private:
  std::string socket_;
  pid_t pid_ = -1;
  int out_ = -1;
  std::string output_;
};

std::uint8_t assertion_flags(fido_dev_t* dev, const std::string& rp, const std::vector<Bytes>& allow,
                             std::uint32_t* counter = nullptr) {
  host::FidoAssert as;
  int r = get_assertion(dev, rp, allow, as);
  REQUIRE_MESSAGE(r == FIDO_OK, host::fido_error_text(r));
  if (counter != nullptr) *counter = fido_assert_sigcount(as.get(), 0);
  return fido_assert_flags(as.get(), 0);
}

MadeCredential made(fido_dev_t* dev, bool rk, const std::string& user) {
  MadeCredential m;
  int r = make_credential(dev, COSE_ES256, rk, "example.com", user, m);
  REQUIRE_MESSAGE(r == FIDO_OK, host::fido_error_text(r));
  return m;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

}  // namespace

TEST_CASE("cli: vfido serve --store keeps credentials in a device store across runs; creds list/show") {
  TempDir dir;
  const std::string data = dir.file("data");
  const std::string key = dir.file("k.key");
  MadeCredential server_side;
  MadeCredential resident;
  {
    Serve serve({"--store", "mykey", "--key-file", key}, data, dir.file("a.sock"));
    CHECK(serve.output().find("new device store " + data + "/vfido/mykey.db; made key file " + key) !=
          std::string::npos);
    auto dev = serve.open();
    server_side = made(dev.get(), false, "alice");
    resident = made(dev.get(), true, "bob");
    std::uint32_t counter = 0;
    CHECK(assertion_flags(dev.get(), "example.com", {server_side.id}, &counter) == CTAP_AUTHDATA_USER_PRESENT);
    CHECK(counter == 1);
  }
  struct stat st {};
  REQUIRE(::stat((data + "/vfido/mykey.db").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  Run list = run_vfido({"creds", "list", "--store", "mykey", "--key-file", key}, data);
  CHECK(list.status == 0);
  CHECK(list.out.find("device store " + data + "/vfido/mykey.db: 1 stored credential\n") != std::string::npos);
  const std::string rid = vfido::base64url_encode(resident.id);
  CHECK(list.out.find(rid + "  example.com  bob  discoverable  -- --  counter 0  alg -7") != std::string::npos);
  Run show = run_vfido({"creds", "show", "--store", "mykey", "--key-file", key, rid.substr(0, 6)}, data);
  CHECK(show.status == 0);
  CHECK(show.out.find("\"rpId\": \"example.com\"") != std::string::npos);
  CHECK(show.out.find("privateKey") == std::string::npos);

  // A second run of the key: the stateless ID still works and its counter goes on.
  Serve again({"--store", "mykey", "--key-file", key}, data, dir.file("b.sock"));
  auto dev = again.open();
  std::uint32_t counter = 0;
  assertion_flags(dev.get(), "example.com", {server_side.id}, &counter);
  CHECK(counter == 2);
  // While it runs, the device store is locked.
  Run locked = run_vfido({"creds", "list", "--store", "mykey", "--key-file", key}, data);
  CHECK(locked.status == 1);
  CHECK(locked.err.find(data + "/vfido/mykey.db: in use by pid ") != std::string::npos);
}

TEST_CASE("cli: two vfido serve processes on one vault; vault list; creds set-backup-state and delete") {
  TempDir dir;
  const std::string data = dir.file("data");
  const std::string pass = dir.file("pass");
  write_text(pass, "correct horse battery staple\n");
  Run create = run_vfido({"vault", "create", "family", "--provider", "Keeper", "--aaguid",
                      "0ea242b4-43c4-4a1b-8b17-dd6d0b6baec6", "--not-synced", "--passphrase-file", pass},
                     data);
  REQUIRE_MESSAGE(create.status == 0, create.err);
  Run list = run_vfido({"vault", "list"}, data);
  CHECK(list.out == data + "/vfido/family.db  \"Keeper\"  AAGUID 0ea242b4-43c4-4a1b-8b17-dd6d0b6baec6  0 credentials  "
                           "(passphrase)\n");

  Serve phone({"--store", "family", "--passphrase-file", pass, "--state", "phone"}, data, dir.file("p.sock"));
  Serve laptop({"--store", "family", "--passphrase-file", pass}, data, dir.file("l.sock"));
  CHECK(phone.output().find("synced vault " + data + "/vfido/family.db (provider \"Keeper\"), device state in " +
                            data + "/vfido/phone.db") != std::string::npos);
  auto on_phone = phone.open();
  auto on_laptop = laptop.open();
  MadeCredential m = made(on_phone.get(), false, "carol");
  constexpr std::uint8_t kBe = 0x08;
  constexpr std::uint8_t kBs = 0x10;
  CHECK(fido_cred_flags(m.cred.get()) == (CTAP_AUTHDATA_USER_PRESENT | CTAP_AUTHDATA_ATT_CRED | kBe));
  std::uint32_t counter = 99;
  CHECK(assertion_flags(on_laptop.get(), "example.com", {}, &counter) == (CTAP_AUTHDATA_USER_PRESENT | kBe));
  CHECK(counter == 0);

  const std::string id = vfido::base64url_encode(m.id);
  Run bs = run_vfido({"creds", "set-backup-state", "--store", "family", "--passphrase-file", pass, id, "on"}, data);
  CHECK(bs.status == 0);
  CHECK(assertion_flags(on_laptop.get(), "example.com", {m.id}) == (CTAP_AUTHDATA_USER_PRESENT | kBe | kBs));

  Run del = run_vfido({"creds", "delete", "--store", "family", "--passphrase-file", pass, id}, data);
  CHECK(del.status == 0);
  CHECK(del.out == "deleted " + id + " (example.com)\n");
  host::FidoAssert as;
  CHECK(get_assertion(on_phone.get(), "example.com", {}, as) == FIDO_ERR_NO_CREDENTIALS);
  CHECK(get_assertion(on_laptop.get(), "example.com", {m.id}, as) == FIDO_ERR_NO_CREDENTIALS);
}

TEST_CASE("cli: creds export and import, with private keys only on request") {
  TempDir dir;
  const std::string data = dir.file("data");
  const std::string key = dir.file("k.key");
  MadeCredential m;
  {
    Serve serve({"--store", "old", "--key-file", key}, data, dir.file("a.sock"));
    auto dev = serve.open();
    m = made(dev.get(), true, "dave");
  }
  Run pub = run_vfido({"creds", "export", "--store", "old", "--key-file", key, "-o", dir.file("pub.json")}, data);
  CHECK(pub.status == 0);
  CHECK(pub.err.find("WARNING") == std::string::npos);
  Run full = run_vfido({"creds", "export", "--store", "old", "--key-file", key, "--include-private-keys", "-o",
                    dir.file("full.json")},
                   data);
  CHECK(full.status == 0);
  CHECK(full.err.find("WARNING: the export holds 1 private key(s) in the clear") != std::string::npos);
  struct stat st {};
  REQUIRE(::stat(dir.file("full.json").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  Run target = run_vfido({"vault", "create", "new", "--provider", "Bitwarden", "--key-file", key}, data);
  REQUIRE(target.status == 0);
  Run no_keys = run_vfido({"creds", "import", "--store", "new", "--key-file", key, dir.file("pub.json")}, data);
  CHECK(no_keys.status == 1);
  CHECK(no_keys.err.find("credentials[0]: credential: no privateKey") != std::string::npos);
  Run in = run_vfido({"creds", "import", "--store", "new", "--key-file", key, dir.file("full.json")}, data);
  CHECK(in.status == 0);
  CHECK(in.out == "imported 1 credential(s) into " + data + "/vfido/new.db\n");

  // The imported credential signs in from a key on the vault, with the vault's flags.
  Serve serve({"--store", "new", "--key-file", key}, data, dir.file("b.sock"));
  auto dev = serve.open();
  host::FidoAssert as;
  REQUIRE(get_assertion(dev.get(), "example.com", {}, as) == FIDO_OK);
  CHECK(bytes_of(fido_assert_id_ptr(as.get(), 0), fido_assert_id_len(as.get(), 0)) == m.id);
  CHECK(fido_assert_verify(as.get(), 0, COSE_ES256, m.key.get()) == FIDO_OK);
  CHECK((fido_assert_flags(as.get(), 0) & 0x18) == 0x18);
}

TEST_CASE("cli: bad stores and keys are clear errors") {
  TempDir dir;
  const std::string data = dir.file("data");
  const std::string pass = dir.file("pass");
  write_text(pass, "right\n");
  write_text(dir.file("wrong"), "wrong\n");
  write_text(dir.file("junk.db"), "this is not a database at all, just text\n");
  Run junk = run_vfido({"creds", "list", "--store", dir.file("junk.db"), "--passphrase-file", pass}, data);
  CHECK(junk.status == 1);
  CHECK(junk.err == "vfido creds list: " + dir.file("junk.db") + ": not a vfido store (not an SQLite database)\n");
  REQUIRE(run_vfido({"vault", "create", "v", "--provider", "P", "--passphrase-file", pass}, data).status == 0);
  Run wrong = run_vfido({"creds", "list", "--store", "v", "--passphrase-file", dir.file("wrong")}, data);
  CHECK(wrong.status == 1);
  CHECK(wrong.err.find(data + "/vfido/v.db: wrong passphrase") != std::string::npos);
  // A synced profile on a device store: the store decides, and serve says so (then fails to
  // listen on a socket in a missing directory, which ends the run).
  Run synced_on_device = run_vfido({"serve", "--unix", dir.file("missing/n.sock"), "--profile",
                                    "google-password-manager", "--store", dir.file("dev.db"), "--passphrase-file", pass},
                                   data);
  CHECK(synced_on_device.status == 1);
  CHECK(synced_on_device.err.find("vfido serve: note: profile \"Google Password Manager\" is a synced one, but the "
                                  "store is a device store: credentials will be device-bound (BE=0)") !=
        std::string::npos);
  Run serve_junk = run_vfido({"serve", "--unix", dir.file("s.sock"), "--store", dir.file("junk.db"), "--passphrase-file", pass},
                         data);
  CHECK(serve_junk.status == 1);
  CHECK(serve_junk.err.find("not a vfido store") != std::string::npos);
  Run no_key = run_vfido({"creds", "list", "--store", "v"}, data);
  CHECK(no_key.status == 1);
  CHECK(no_key.err.find("give --passphrase-file FILE or --key-file FILE") != std::string::npos);
  Run bad_uuid = run_vfido({"vault", "create", "w", "--provider", "P", "--aaguid", "nope", "--passphrase-file", pass}, data);
  CHECK(bad_uuid.status == 2);
}

TEST_CASE("cli: vfido up --store: the daemon's key keeps its credentials in the store") {
  TempDir dir;
  const std::string data = dir.file("data");
  const std::string run = dir.file("run");
  REQUIRE(::mkdir(run.c_str(), 0700) == 0);
  const std::string key = dir.file("k.key");
  MadeCredential m;
  {
    Serve up({"--no-uhid", "--store", "daemon", "--key-file", key}, data, dir.file("u.sock"), "up", run);
    CHECK(up.output().find("vfido: store: new device store " + data + "/vfido/daemon.db") != std::string::npos);
    Run status = run_vfido({"status"}, data, run);
    CHECK(status.out.find("  store:    new device store " + data + "/vfido/daemon.db") != std::string::npos);
    auto dev = up.open();
    m = made(dev.get(), true, "erin");
    Run down = run_vfido({"down"}, data, run);
    CHECK(down.status == 0);
  }
  Run list = run_vfido({"creds", "list", "--store", "daemon", "--key-file", key}, data);
  CHECK(list.status == 0);
  CHECK(list.out.find(vfido::base64url_encode(m.id) + "  example.com  erin  discoverable") != std::string::npos);
  Run misuse = run_vfido({"up", "--no-uhid", "--unix", dir.file("v.sock"), "--key-file", key}, data, run);
  CHECK(misuse.status == 2);
  CHECK(misuse.err == "vfido up: --state, --passphrase-file and --key-file need --store\n");
}
