// vfido_bench: what one in-process CTAP2 request costs next to the public-key operation it cannot
// avoid. getAssertion (CTAP 2.1 §6.2) is one ECDSA P-256 signature plus parsing, lookup and
// encoding; makeCredential (§6.1) is one P-256 key generation plus one signature (packed self
// attestation) plus the same overhead. The raw OpenSSL operations are measured in the same run,
// interleaved round by round with the authenticator, so that machine noise hits both sides
// alike; every figure is the median over rounds of the mean per-operation time of a round.
//
// Not a test: it prints numbers and exits 0 (1 only when a request unexpectedly fails).
//   vfido_bench [--iterations N] [--rounds R] [--warmup W]
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "authenticator/authenticator.h"
#include "authenticator/bytes.h"
#include "authenticator/cbor/codec.h"
#include "authenticator/cbor/value.h"
#include "authenticator/ctap_constants.h"
#include "authenticator/env/clock.h"
#include "authenticator/env/env.h"
#include "authenticator/env/log.h"
#include "authenticator/env/rng.h"
#include "authenticator/env/user_presence.h"
#include "authenticator/profile.h"
#include "credstore/memory_state_store.h"
#include "credstore/memory_store.h"

namespace {

using vfido::Bytes;
using vfido::ByteSpan;
namespace cbor = vfido::cbor;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kRpId = "bench.example";
constexpr std::int64_t kEs256 = -7;  // COSE ES256 (RFC 8152 §8.1)

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "vfido_bench: %s\n", what.c_str());
  std::exit(1);
}

// --- CTAP requests ---------------------------------------------------------------------------

Bytes encode_command(vfido::CtapCommand cmd, const cbor::Value& params) {
  auto body = cbor::encode(params);
  if (!body) die("cannot encode request");
  Bytes out;
  out.reserve(body->size() + 1);
  out.push_back(static_cast<std::uint8_t>(cmd));
  out.insert(out.end(), body->begin(), body->end());
  return out;
}

Bytes fixed_bytes(std::size_t n, std::uint8_t seed) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(seed + 31 * i);
  return b;
}

// CTAP 2.1 §6.1.1: clientDataHash, rp, user, pubKeyCredParams (ES256 only); no rk option, so
// the credential is not discoverable.
Bytes make_credential_request() {
  cbor::Value rp = cbor::Value::map();
  rp.set("id", cbor::Value::text(kRpId));
  rp.set("name", cbor::Value::text("Bench RP"));
  cbor::Value user = cbor::Value::map();
  user.set("id", cbor::Value::bytes(fixed_bytes(16, 7)));
  user.set("name", cbor::Value::text("bench@example"));
  user.set("displayName", cbor::Value::text("Bench User"));
  cbor::Value param = cbor::Value::map();
  param.set("alg", cbor::Value::integer(kEs256));
  param.set("type", cbor::Value::text("public-key"));
  cbor::Value req = cbor::Value::map();
  req.set(1, cbor::Value::bytes(fixed_bytes(32, 1)));
  req.set(2, std::move(rp));
  req.set(3, std::move(user));
  req.set(4, cbor::Value::array({std::move(param)}));
  return encode_command(vfido::CtapCommand::kMakeCredential, req);
}

// CTAP 2.1 §6.2.1: rpId, clientDataHash, allowList with one credential.
Bytes get_assertion_request(const Bytes& credential_id) {
  cbor::Value desc = cbor::Value::map();
  desc.set("id", cbor::Value::bytes(credential_id));
  desc.set("type", cbor::Value::text("public-key"));
  cbor::Value req = cbor::Value::map();
  req.set(1, cbor::Value::text(kRpId));
  req.set(2, cbor::Value::bytes(fixed_bytes(32, 2)));
  req.set(3, cbor::Value::array({std::move(desc)}));
  return encode_command(vfido::CtapCommand::kGetAssertion, req);
}

// The credential ID inside a makeCredential response: authData (key 0x02) = rpIdHash(32) ||
// flags(1) || signCount(4) || aaguid(16) || credIdLen(2) || credId (WebAuthn §6.5.1).
Bytes credential_id_from(const Bytes& response) {
  if (response.empty() || response[0] != 0) die("makeCredential failed with status " + std::to_string(response.empty() ? -1 : response[0]));
  auto decoded = cbor::decode(ByteSpan(response).subspan(1));
  if (!decoded) die("makeCredential response is not CBOR");
  const cbor::Value* auth_data = decoded->find(2);
  if (auth_data == nullptr || !auth_data->is_bytes()) die("makeCredential response has no authData");
  vfido::ByteReader r(auth_data->as_bytes());
  if (!r.take(32 + 1 + 4 + 16)) die("authData too short");
  auto len = r.u16be();
  if (!len) die("authData too short");
  auto id = r.take(*len);
  if (!id) die("authData too short");
  return Bytes(id->begin(), id->end());
}

// One authenticator with its environment, as `vfido serve` would build it.
struct Key {
  vfido::SteadyClock clock;
  vfido::OpenSslRng rng;
  vfido::AutoPresence presence{vfido::PresenceResult::kApproved};
  vfido::credstore::MemoryStore store;
  vfido::credstore::MemoryStateStore state;
  vfido::NullLog log;
  vfido::Authenticator authenticator;

  Key() : authenticator(vfido::AuthenticatorProfile{}, vfido::Env{clock, rng, presence, store, state, log}) {}

  Bytes call(const Bytes& request) {
    std::optional<Bytes> out = authenticator.handle(request, [](Bytes) { die("request went pending with AutoPresence"); });
    if (!out) die("request went pending with AutoPresence");
    if (out->empty() || (*out)[0] != 0) die("request failed with status " + std::to_string(out->empty() ? -1 : (*out)[0]));
    return std::move(*out);
  }
};

// --- raw OpenSSL -----------------------------------------------------------------------------

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

PkeyPtr raw_keygen() {
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_EC, nullptr));
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx.get(), NID_X9_62_prime256v1) != 1 ||
      EVP_PKEY_keygen(ctx.get(), &key) != 1) {
    die("EVP_PKEY_keygen failed");
  }
  return PkeyPtr(key);
}

// ECDSA P-256 with SHA-256 over `msg`, DER signature, as an authenticator signs
// authenticatorData || clientDataHash (37 + 32 = 69 bytes for an assertion without extensions).
std::size_t raw_sign(EVP_PKEY* key, ByteSpan msg, std::array<std::uint8_t, 80>& sig) {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  std::size_t len = sig.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), sig.data(), &len, msg.data(), msg.size()) != 1) {
    die("EVP_DigestSign failed");
  }
  return len;
}

// --- measurement -----------------------------------------------------------------------------

struct Op {
  const char* name;
  std::function<void()> run;
  std::vector<double> round_us;  // mean microseconds per op, one entry per round
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

unsigned long parse_count(const char* flag, const char* text) {
  char* end = nullptr;
  unsigned long v = std::strtoul(text, &end, 10);
  if (end == text || *end != '\0' || v == 0) die(std::string(flag) + " needs a positive integer");
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  unsigned long iterations = 1000;
  unsigned long rounds = 11;
  unsigned long warmup = 200;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if ((a == "--iterations" || a == "-n") && i + 1 < argc) {
      iterations = parse_count("--iterations", argv[++i]);
    } else if (a == "--rounds" && i + 1 < argc) {
      rounds = parse_count("--rounds", argv[++i]);
    } else if (a == "--warmup" && i + 1 < argc) {
      warmup = parse_count("--warmup", argv[++i]);
    } else if (a == "--help" || a == "-h") {
      std::printf("usage: vfido_bench [--iterations N] [--rounds R] [--warmup W]\n");
      return 0;
    } else {
      die("unknown argument " + std::string(a) + " (try --help)");
    }
  }

  // getAssertion runs against one key holding one credential. makeCredential runs against a
  // second key, rebuilt every round, so the credentials it piles up never slow the lookup the
  // getAssertion figure measures (nor its own store beyond one round).
  Key assert_key;
  const Bytes mc_request = make_credential_request();
  const Bytes credential_id = credential_id_from(assert_key.call(mc_request));
  const Bytes ga_request = get_assertion_request(credential_id);
  std::unique_ptr<Key> mc_key = std::make_unique<Key>();

  PkeyPtr sign_key = raw_keygen();
  const Bytes message = fixed_bytes(69, 3);  // ~ authenticatorData(37) || clientDataHash(32)
  std::array<std::uint8_t, 80> sig{};
  std::size_t sink = 0;  // keeps the optimiser from dropping the work

  std::vector<Op> ops;
  ops.push_back({"getAssertion (handle)", [&] { sink += assert_key.call(ga_request).size(); }, {}});
  ops.push_back({"makeCredential (handle)", [&] { sink += mc_key->call(mc_request).size(); }, {}});
  ops.push_back({"ECDSA P-256 sign (raw)", [&] { sink += raw_sign(sign_key.get(), message, sig); }, {}});
  ops.push_back({"P-256 keygen (raw)", [&] { sink += raw_keygen() ? 1U : 0U; }, {}});

  for (auto& op : ops)
    for (unsigned long i = 0; i < warmup; ++i) op.run();

  const auto started = Clock::now();
  for (unsigned long r = 0; r < rounds; ++r) {
    mc_key = std::make_unique<Key>();
    // Rotate the order each round so no operation always runs first (cache, frequency ramps).
    for (std::size_t k = 0; k < ops.size(); ++k) {
      Op& op = ops[(k + r) % ops.size()];
      const auto t0 = Clock::now();
      for (unsigned long i = 0; i < iterations; ++i) op.run();
      const auto t1 = Clock::now();
      op.round_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count() /
                            static_cast<double>(iterations));
    }
  }
  const double elapsed_s = std::chrono::duration<double>(Clock::now() - started).count();

  std::printf("vfido_bench: %lu rounds x %lu iterations per operation (warm-up %lu), median of round means\n",
              rounds, iterations, warmup);
  std::printf("  %-26s %10s %10s %10s\n", "operation", "median", "min", "max");
  for (const auto& op : ops) {
    const auto [lo, hi] = std::minmax_element(op.round_us.begin(), op.round_us.end());
    std::printf("  %-26s %8.1f us %7.1f us %7.1f us\n", op.name, median(op.round_us), *lo, *hi);
  }
  const double ga = median(ops[0].round_us);
  const double mc = median(ops[1].round_us);
  const double sign = median(ops[2].round_us);
  const double keygen = median(ops[3].round_us);
  std::printf("getAssertion - sign = %.1f us of parsing, lookup, key loading and encoding\n", ga - sign);
  std::printf("getAssertion / sign = %.2f (aim <= 1.30)\n", ga / sign);
  std::printf("makeCredential / (keygen + sign) = %.2f\n", mc / (keygen + sign));
  std::printf("(measured in %.1f s; checksum %zu)\n", elapsed_s, sink);
  return 0;
}
