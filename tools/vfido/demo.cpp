// `vfido demo --ctap` (plain `vfido demo` is the scenario table: demo_scenarios.cpp): starts a
// virtual key inside this process on a temporary Unix socket and drives it through libfido2 (custom I/O, as a browser's platform
// library would drive a USB key): CTAPHID_INIT, getInfo, makeCredential with packed self
// attestation, getAssertion with an allowList, then a discoverable credential and a
// getAssertion without one. Every signature is checked by libfido2. Prints a transcript and
// exits 0 only when every step passed. `--transport hybrid` runs the same steps over caBLE v2
// (demo_hybrid.cpp).
#include <fido.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "tools/host/fido_objects.h"
#include "tools/host/fido_unix_io.h"
#include "tools/host/virtual_key.h"
#include "tools/vfido/commands.h"
#include "tools/vfido/demo_hybrid.h"

namespace vfido::cli {
namespace {

using host::fido_error_text;
using host::hex;

constexpr const char* kRpId = "demo.vfido.dev";
constexpr const char* kRpName = "vfido demo";
constexpr const char* kOrigin = "https://demo.vfido.dev";
constexpr int kTimeoutMs = 10000;  // per libfido2 call; the key answers in milliseconds

// A temporary directory for the socket, removed (with the socket, if still there) at exit.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string templ = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/vfido-demo-XXXXXX";
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    if (::mkdtemp(buf.data()) != nullptr) path_ = buf.data();
  }
  ~TempDir() {
    if (path_.empty()) return;
    ::unlink((path_ + "/key.sock").c_str());
    ::rmdir(path_.c_str());
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void line(const std::string& label, const std::string& value) {
  std::printf("    %-16s %s\n", (label + ":").c_str(), value.c_str());
}

void heading(int n, const std::string& title) { std::printf("\n[%d] %s\n", n, title.c_str()); }

bool failed(const std::string& what, int r) {
  std::printf("    FAILED: %s: %s\n", what.c_str(), fido_error_text(r).c_str());
  return false;
}

// What WebAuthn's clientDataJSON would hold (WebAuthn L3 §5.8.1); libfido2 hashes it into the
// clientDataHash the key signs.
std::string client_data(const char* type, const char* challenge) {
  return std::string("{\"type\":\"") + type + "\",\"challenge\":\"" + challenge + "\",\"origin\":\"" + kOrigin +
         "\",\"crossOrigin\":false}";
}

std::string join(char** items, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += (i ? ", " : "") + std::string(items[i]);
  return n == 0 ? "(none)" : out;
}

struct Credential {
  std::vector<unsigned char> id;
  host::PublicKey key;
  std::uint32_t counter = 0;
};

class Demo {
 public:
  explicit Demo(fido_dev_t* dev) : dev_(dev) {}

  bool device_info() {
    heading(1, "open the device (CTAPHID_INIT on the broadcast channel)");
    std::uint8_t caps = fido_dev_flags(dev_);
    std::string cap_names;
    if (caps & FIDO_CAP_WINK) cap_names += " WINK";
    if (caps & FIDO_CAP_CBOR) cap_names += " CBOR";
    if (caps & FIDO_CAP_NMSG) cap_names += " NMSG";
    line("CTAPHID", "protocol " + std::to_string(fido_dev_protocol(dev_)));
    line("device version", std::to_string(fido_dev_major(dev_)) + "." + std::to_string(fido_dev_minor(dev_)) + "." +
                               std::to_string(fido_dev_build(dev_)));
    char buf[8];
    std::snprintf(buf, sizeof(buf), "0x%02x", caps);
    line("capabilities", buf + cap_names);
    line("CTAP2", fido_dev_is_fido2(dev_) ? "yes" : "no");
    return fido_dev_is_fido2(dev_);
  }

  bool get_info() {
    heading(2, "authenticatorGetInfo");
    host::FidoCborInfo ci(fido_cbor_info_new());
    if (!ci) return failed("fido_cbor_info_new", FIDO_ERR_INTERNAL);
    int r = fido_dev_get_cbor_info(dev_, ci.get());
    if (r != FIDO_OK) return failed("fido_dev_get_cbor_info", r);
    const fido_cbor_info_t* c = ci.get();
    line("versions", join(fido_cbor_info_versions_ptr(c), fido_cbor_info_versions_len(c)));
    line("AAGUID", host::uuid_text(fido_cbor_info_aaguid_ptr(c), fido_cbor_info_aaguid_len(c)));
    std::string algs;
    for (std::size_t i = 0; i < fido_cbor_info_algorithm_count(c); ++i) {
      algs += (i ? ", " : "") + host::cose_alg_name(fido_cbor_info_algorithm_cose(c, i));
    }
    line("algorithms", algs.empty() ? "(not listed)" : algs);
    std::string opts;
    char** names = fido_cbor_info_options_name_ptr(c);
    const bool* values = fido_cbor_info_options_value_ptr(c);
    for (std::size_t i = 0; i < fido_cbor_info_options_len(c); ++i) {
      opts += (i ? " " : "") + std::string(names[i]) + "=" + (values[i] ? "true" : "false");
    }
    line("options", opts.empty() ? "(defaults)" : opts);
    line("extensions", join(fido_cbor_info_extensions_ptr(c), fido_cbor_info_extensions_len(c)));
    line("transports", join(fido_cbor_info_transports_ptr(c), fido_cbor_info_transports_len(c)));
    line("maxMsgSize", std::to_string(fido_cbor_info_maxmsgsiz(c)));
    line("maxCredInList", std::to_string(fido_cbor_info_maxcredcntlst(c)));
    line("maxCredIdLength", std::to_string(fido_cbor_info_maxcredidlen(c)));
    char fw[24];
    std::snprintf(fw, sizeof(fw), "0x%06llx", static_cast<unsigned long long>(fido_cbor_info_fwversion(c)));
    line("firmware", fw);
    return true;
  }

  // makeCredential; `discoverable` asks for a resident key (rk). Verifies the attestation.
  bool make_credential(int step, bool discoverable, const char* user_name, const char* display_name,
                       Credential& out) {
    heading(step, std::string("authenticatorMakeCredential (ES256, ") +
                      (discoverable ? "discoverable credential, rk=true)" : "server-side credential)"));
    host::FidoCred cred(fido_cred_new());
    if (!cred) return failed("fido_cred_new", FIDO_ERR_INTERNAL);
    // The user handle is the RP's opaque account ID (WebAuthn L3 §5.4.3); any 1..64 bytes.
    const std::string handle = std::string("demo-user:") + user_name;
    std::vector<unsigned char> user_id(handle.begin(), handle.end());
    std::string cd = client_data("webauthn.create", discoverable ? "ZGlzY292ZXJhYmxl" : "cmVnaXN0ZXI");
    int r = FIDO_OK;
    if ((r = fido_cred_set_type(cred.get(), COSE_ES256)) != FIDO_OK ||
        (r = fido_cred_set_clientdata(cred.get(), reinterpret_cast<const unsigned char*>(cd.data()), cd.size())) !=
            FIDO_OK ||
        (r = fido_cred_set_rp(cred.get(), kRpId, kRpName)) != FIDO_OK ||
        (r = fido_cred_set_user(cred.get(), user_id.data(), user_id.size(), user_name, display_name, nullptr)) !=
            FIDO_OK ||
        (r = fido_cred_set_rk(cred.get(), discoverable ? FIDO_OPT_TRUE : FIDO_OPT_OMIT)) != FIDO_OK) {
      return failed("setting up the request", r);
    }
    line("RP", std::string(kRpId) + " (\"" + kRpName + "\")");
    line("user", std::string(user_name) + " (\"" + display_name + "\"), id " + hex(user_id.data(), user_id.size()));
    line("clientDataJSON", cd);

    r = fido_dev_make_cred(dev_, cred.get(), nullptr);
    if (r != FIDO_OK) return failed("fido_dev_make_cred", r);

    const fido_cred_t* c = cred.get();
    out.id.assign(fido_cred_id_ptr(c), fido_cred_id_ptr(c) + fido_cred_id_len(c));
    out.counter = fido_cred_sigcount(c);
    line("credential ID", hex(out.id.data(), out.id.size()) + " (" + std::to_string(out.id.size()) + " bytes)");
    line("algorithm", host::cose_alg_name(fido_cred_type(c)));
    line("public key", hex(fido_cred_pubkey_ptr(c), fido_cred_pubkey_len(c)));
    line("AAGUID", host::uuid_text(fido_cred_aaguid_ptr(c), fido_cred_aaguid_len(c)));
    line("flags", host::flags_text(fido_cred_flags(c)));
    line("counter", std::to_string(out.counter));
    line("format", fido_cred_fmt(c) != nullptr ? fido_cred_fmt(c) : "(none)");
    bool has_x5c = fido_cred_x5c_len(c) > 0;
    line("x5c", has_x5c ? std::to_string(fido_cred_x5c_len(c)) + " bytes" : "none (self attestation)");

    bool ok = true;
    if (!(fido_cred_flags(c) & CTAP_AUTHDATA_USER_PRESENT) || !(fido_cred_flags(c) & CTAP_AUTHDATA_ATT_CRED)) {
      std::printf("    FAILED: the UP and AT flags must both be set\n");
      ok = false;
    }
    if (!out.key.load(fido_cred_type(c), fido_cred_pubkey_ptr(c), fido_cred_pubkey_len(c))) {
      std::printf("    FAILED: libfido2 returned no usable public key\n");
      ok = false;
    }

    // Attestation (WebAuthn L3 §8.2 packed). Self attestation is signed with the credential's
    // own key and carries no certificate: fido_cred_verify_self() checks it. fido_cred_verify()
    // checks a statement against the certificate in x5c, so it cannot verify self attestation.
    int self_r = fido_cred_verify_self(c);
    int full_r = fido_cred_verify(c);
    if (has_x5c) {
      line("fido_cred_verify", full_r == FIDO_OK ? "ok (signature by the x5c certificate)" : fido_error_text(full_r));
      ok = ok && full_r == FIDO_OK;
      line("signature verified", full_r == FIDO_OK ? "yes" : "NO");
    } else {
      line("attestation", "packed self attestation, checked with fido_cred_verify_self()");
      line("fido_cred_verify_self", self_r == FIDO_OK ? "ok" : fido_error_text(self_r));
      line("fido_cred_verify", fido_error_text(full_r) + (full_r == FIDO_ERR_INVALID_ARGUMENT
                                                              ? ": expected, it needs an x5c certificate"
                                                              : ""));
      line("signature verified", self_r == FIDO_OK ? "yes" : "NO");
      ok = ok && self_r == FIDO_OK;
    }
    return ok;
  }

  // getAssertion; with `allow` it names the credential, without it the key finds discoverable
  // ones. The first assertion must come from `expected` and verify with its public key.
  bool get_assertion(int step, const Credential& expected, bool allow) {
    heading(step, std::string("authenticatorGetAssertion (") +
                      (allow ? "allowList with the credential ID)" : "no allowList: discoverable credentials)"));
    host::FidoAssert as(fido_assert_new());
    if (!as) return failed("fido_assert_new", FIDO_ERR_INTERNAL);
    std::string cd = client_data("webauthn.get", allow ? "c2lnbi1pbg" : "dXNlcm5hbWVsZXNz");
    int r = FIDO_OK;
    if ((r = fido_assert_set_rp(as.get(), kRpId)) != FIDO_OK ||
        (r = fido_assert_set_clientdata(as.get(), reinterpret_cast<const unsigned char*>(cd.data()), cd.size())) !=
            FIDO_OK ||
        (r = fido_assert_set_up(as.get(), FIDO_OPT_TRUE)) != FIDO_OK ||
        (allow && (r = fido_assert_allow_cred(as.get(), expected.id.data(), expected.id.size())) != FIDO_OK)) {
      return failed("setting up the request", r);
    }
    line("RP", kRpId);
    line("allowList", allow ? hex(expected.id.data(), expected.id.size()) : "(empty)");

    r = fido_dev_get_assert(dev_, as.get(), nullptr);
    if (r != FIDO_OK) return failed("fido_dev_get_assert", r);
    const fido_assert_t* a = as.get();
    line("assertions", std::to_string(fido_assert_count(a)));
    if (fido_assert_count(a) < 1) {
      std::printf("    FAILED: no assertion returned\n");
      return false;
    }
    std::vector<unsigned char> id(fido_assert_id_ptr(a, 0), fido_assert_id_ptr(a, 0) + fido_assert_id_len(a, 0));
    line("credential ID", hex(id.data(), id.size()));
    if (fido_assert_user_id_len(a, 0) > 0) {
      std::string user = hex(fido_assert_user_id_ptr(a, 0), fido_assert_user_id_len(a, 0));
      if (fido_assert_user_name(a, 0) != nullptr) user = std::string(fido_assert_user_name(a, 0)) + ", id " + user;
      line("user", user);
    }
    std::uint8_t fl = fido_assert_flags(a, 0);
    std::uint32_t counter = fido_assert_sigcount(a, 0);
    line("flags", host::flags_text(fl));
    line("counter", std::to_string(counter) + " (was " + std::to_string(expected.counter) + ")");
    line("signature", std::to_string(fido_assert_sig_len(a, 0)) + " bytes");

    bool ok = true;
    if (id != expected.id) {
      std::printf("    FAILED: the key answered with another credential\n");
      ok = false;
    }
    if (!(fl & CTAP_AUTHDATA_USER_PRESENT)) {
      std::printf("    FAILED: UP flag not set\n");
      ok = false;
    }
    // fido_assert_verify checks the RP ID hash, the UP flag we asked for, and the signature
    // over authenticatorData || clientDataHash with the credential's public key.
    r = fido_assert_verify(a, 0, expected.key.alg(), expected.key.get());
    line("signature verified", r == FIDO_OK ? "yes" : "NO: " + fido_error_text(r));
    return ok && r == FIDO_OK;
  }

 private:
  fido_dev_t* dev_;
};

int run_demo(bool verbose) {
  std::printf("vfido demo: a virtual FIDO2 key in this process, driven by libfido2 through its\n"
              "custom I/O hooks over a Unix socket (64-byte CTAPHID reports).\n");
  TempDir dir;
  if (dir.path().empty()) {
    std::perror("vfido demo: mkdtemp");
    return 1;
  }
  const std::string socket_path = dir.path() + "/key.sock";

  host::KeyOptions options;
  options.verbose = verbose;
  host::BackgroundKey key(options);
  try {
    key.add_unix(socket_path);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vfido demo: cannot listen on %s: %s\n", socket_path.c_str(), e.what());
    return 1;
  }
  std::printf("key: profile \"%s\", user presence approved automatically, listening on %s\n",
              key.key().authenticator().profile().name.c_str(), socket_path.c_str());
  key.start();

  fido_init(0);
  int r = FIDO_OK;
  host::FidoDev dev = host::open_unix_device(socket_path, &r, kTimeoutMs);
  int status = 1;
  if (!dev) {
    failed("fido_dev_open", r);
  } else {
    status = run_demo_steps(dev.get()) ? 0 : 1;
  }
  dev.reset();  // disconnect before the key stops
  key.stop();
  std::printf("\n%s\n", status == 0 ? "demo: all steps passed" : "demo: FAILED (see above)");
  return status;
}

}  // namespace

bool run_demo_steps(fido_dev_t* dev) {
  Demo demo(dev);
  Credential server_side;
  Credential discoverable;
  return demo.device_info() && demo.get_info() && demo.make_credential(3, false, "alice", "Alice Example", server_side) &&
         demo.get_assertion(4, server_side, true) && demo.make_credential(5, true, "bob", "Bob Example", discoverable) &&
         demo.get_assertion(6, discoverable, false);
}

void add_demo(CLI::App& app, int* exit_code) {
  auto verbose = std::make_shared<bool>(false);
  auto ctap = std::make_shared<bool>(false);
  auto junit = std::make_shared<std::string>();
  auto transport = std::make_shared<std::string>("unix");
  auto hybrid = std::make_shared<HybridDemoOptions>();
  CLI::App* cmd = app.add_subcommand("demo", "Run the shipped passkey-policy scenarios as a table (start here)");
  cmd->add_flag("-v,--verbose", *verbose, "Log the key's activity to stderr");
  cmd->add_flag("--ctap", *ctap, "Instead: one in-process key exercised step by step with libfido2 (the CTAP exchange)");
  cmd->add_option("--junit", *junit, "Scenario table only: also write JUnit XML here");
  cmd->add_option("--transport", *transport,
                  "How libfido2 reaches the key in the step-by-step demo (hybrid implies --ctap)")
      ->check(CLI::IsMember({"unix", "hybrid"}))
      ->capture_default_str();
  add_hybrid_demo_options(cmd, *hybrid);
  cmd->callback([verbose, ctap, junit, transport, hybrid, exit_code] {
    if (*transport == "hybrid") {
      *exit_code = run_hybrid_demo(*verbose, *hybrid);
    } else {
      *exit_code = *ctap ? run_demo(*verbose) : run_scenario_demo(*verbose, *junit);
    }
  });
}

}  // namespace vfido::cli
