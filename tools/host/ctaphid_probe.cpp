#include "tools/host/ctaphid_probe.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <random>
#include <variant>

#include <tl/expected.hpp>

#include "authenticator/cbor/codec.h"
#include "authenticator/cbor/value.h"
#include "authenticator/ctap_constants.h"
#include "transports/ctaphid/message.h"
#include "transports/ctaphid/packet.h"

namespace vfido::host {
namespace {

namespace hid = vfido::ctaphid;
using transport::ctaphid::ContPacket;
using transport::ctaphid::InitPacket;

constexpr std::uint8_t code(hid::Command c) { return static_cast<std::uint8_t>(c); }
constexpr std::uint8_t code(hid::Error e) { return static_cast<std::uint8_t>(e); }

// §11.2.9.1.6 error names, for details.
std::string error_name(std::uint8_t e) {
  switch (static_cast<hid::Error>(e)) {
    case hid::Error::kInvalidCmd:
      return "ERR_INVALID_CMD";
    case hid::Error::kInvalidPar:
      return "ERR_INVALID_PAR";
    case hid::Error::kInvalidLen:
      return "ERR_INVALID_LEN";
    case hid::Error::kInvalidSeq:
      return "ERR_INVALID_SEQ";
    case hid::Error::kMsgTimeout:
      return "ERR_MSG_TIMEOUT";
    case hid::Error::kChannelBusy:
      return "ERR_CHANNEL_BUSY";
    case hid::Error::kLockRequired:
      return "ERR_LOCK_REQUIRED";
    case hid::Error::kInvalidChannel:
      return "ERR_INVALID_CHANNEL";
    case hid::Error::kOther:
      return "ERR_OTHER";
  }
  char buf[16];
  std::snprintf(buf, sizeof(buf), "error 0x%02x", e);
  return buf;
}

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%08x", v);
  return buf;
}

std::string ms_text(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.0f ms", ms);
  return buf;
}

struct Reply {
  std::uint8_t cmd = 0;
  Bytes payload;
};

std::string describe(const Reply& r) {
  if (r.cmd == code(hid::Command::kError) && !r.payload.empty()) return "CTAPHID_ERROR " + error_name(r.payload[0]);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "command 0x%02x with %zu bytes", r.cmd, r.payload.size());
  return buf;
}

bool is_error(const Reply& r, hid::Error e) {
  return r.cmd == code(hid::Command::kError) && r.payload.size() == 1 && r.payload[0] == code(e);
}

using Got = tl::expected<Reply, std::string>;

class Prober {
 public:
  Prober(ReportChannel& channel, const ProbeOptions& options)
      : ch_(channel),
        o_(options),
        clock_(options.clock != nullptr ? *options.clock : steady_),
        rng_(options.seed != 0 ? options.seed : std::random_device{}()) {}

  std::vector<ProbeCheck> run() {
    std::vector<ProbeCheck> out;
    auto run_check = [&](const char* name, auto&& body) {
      const std::uint64_t start = clock_.now_ms();
      ProbeCheck c{name, ProbeVerdict::kFail, {}, 0};
      if (auto detail = body(); detail) {
        c.verdict = ProbeVerdict::kPass;
        c.detail = *detail;
      } else {
        c.detail = detail.error();
      }
      c.ms = ms_since(start);
      out.push_back(std::move(c));
      drain();  // whatever a failed check left behind must not confuse the next one
    };
    run_check("init", [&] { return check_init(); });
    run_check("ping", [&] { return check_ping(); });
    run_check("invalid_seq", [&] { return check_invalid_seq(); });
    run_check("channel_busy", [&] { return check_channel_busy(); });
    run_check("cancel", [&] { return check_cancel(); });
    run_check("msg_timeout", [&] { return check_msg_timeout(); });
    return out;
  }

 private:
  using Result = tl::expected<std::string, std::string>;

  double ms_since(std::uint64_t start) const { return static_cast<double>(clock_.now_ms() - start); }
  // Milliseconds left until `deadline` (0 when past).
  int left_until(std::uint64_t deadline) const {
    const std::uint64_t now = clock_.now_ms();
    return now >= deadline ? 0 : static_cast<int>(deadline - now);
  }

  Bytes random_bytes(std::size_t n) {
    Bytes b(n);
    for (auto& x : b) x = static_cast<std::uint8_t>(rng_());
    return b;
  }

  bool send_all(const std::vector<Report>& reports) {
    for (const auto& r : reports) {
      if (!ch_.write(r)) return false;
    }
    return true;
  }

  std::vector<Report> frame(std::uint32_t cid, hid::Command cmd, ByteSpan payload) {
    auto reports = transport::ctaphid::split_message(cid, code(cmd), payload);
    return reports ? *reports : std::vector<Report>{};
  }

  // The next whole message on `cid` within timeout_ms. Reports of other channels are skipped
  // (a hidraw node shows every reader every report). KEEPALIVE messages are skipped, or
  // returned when stop_at_keepalive.
  Got receive(std::uint32_t cid, int timeout_ms, bool stop_at_keepalive = false) {
    const std::uint64_t deadline = clock_.now_ms() + static_cast<std::uint64_t>(std::max(timeout_ms, 0));
    std::optional<Reply> cur;
    std::size_t need = 0;
    std::uint8_t seq = 0;
    for (;;) {
      const int left = left_until(deadline);
      if (left <= 0) {
        if (cur) {
          return tl::unexpected("the reply stopped after " + std::to_string(cur->payload.size()) + " of " +
                                std::to_string(need) + " bytes");
        }
        return tl::unexpected("no reply within " + std::to_string(timeout_ms) + " ms");
      }
      auto report = ch_.read(left);
      if (!report) continue;
      auto packet = transport::ctaphid::parse_packet(*report);
      if (!packet || transport::ctaphid::packet_cid(*packet) != cid) continue;
      if (const auto* init = std::get_if<InitPacket>(&*packet)) {
        if (cur) return tl::unexpected(std::string("a new message began before the last one was complete"));
        if (init->cmd == code(hid::Command::kKeepalive)) {
          if (stop_at_keepalive) return Reply{init->cmd, Bytes{init->data[0]}};
          continue;
        }
        cur = Reply{init->cmd, {}};
        need = init->bcnt;
        seq = 0;
        const std::size_t n = std::min(need, init->data.size());
        cur->payload.assign(init->data.begin(), init->data.begin() + static_cast<std::ptrdiff_t>(n));
      } else {
        const auto& cont = std::get<ContPacket>(*packet);
        if (!cur) continue;  // a stray continuation of something we did not see start
        if (cont.seq != seq) {
          return tl::unexpected("continuation with SEQ " + std::to_string(cont.seq) + ", expected " +
                                std::to_string(seq));
        }
        ++seq;
        const std::size_t n = std::min(need - cur->payload.size(), cont.data.size());
        cur->payload.insert(cur->payload.end(), cont.data.begin(), cont.data.begin() + static_cast<std::ptrdiff_t>(n));
      }
      if (cur && cur->payload.size() >= need) return *cur;
    }
  }

  // Nothing on `cid` for ms milliseconds; otherwise what came.
  std::optional<Reply> silence(std::uint32_t cid, int ms) {
    auto got = receive(cid, ms, true);
    if (got) return *got;
    return std::nullopt;
  }

  // Reads and drops whatever is in flight for a short while.
  void drain() {
    while (ch_.read(50)) {
    }
  }

  // §11.2.9.1.3: a new channel, or an error text.
  tl::expected<std::uint32_t, std::string> allocate(std::string* info = nullptr) {
    const Bytes nonce = random_bytes(hid::kInitNonceLen);
    if (!send_all(frame(hid::kBroadcastCid, hid::Command::kInit, nonce))) return tl::unexpected(std::string("write failed"));
    const std::uint64_t deadline = clock_.now_ms() + static_cast<std::uint64_t>(o_.reply_timeout_ms);
    for (;;) {
      const int left = left_until(deadline);
      if (left <= 0) return tl::unexpected(std::string("no INIT response within ") + std::to_string(o_.reply_timeout_ms) + " ms");
      auto got = receive(hid::kBroadcastCid, left);
      if (!got) return tl::unexpected("INIT: " + got.error());
      if (got->cmd != code(hid::Command::kInit)) return tl::unexpected("INIT answered with " + describe(*got));
      const Bytes& p = got->payload;
      if (p.size() < hid::kInitResponseLen) {
        return tl::unexpected("INIT response of " + std::to_string(p.size()) + " bytes (at least 17 required)");
      }
      if (!std::equal(nonce.begin(), nonce.end(), p.begin())) continue;  // another host's INIT
      const std::uint32_t cid = std::uint32_t{p[8]} << 24 | std::uint32_t{p[9]} << 16 | std::uint32_t{p[10]} << 8 | p[11];
      if (cid == hid::kBroadcastCid || cid == hid::kReservedCid) return tl::unexpected("INIT allocated the reserved CID " + hex32(cid));
      if (p[12] != hid::kProtocolVersion) {
        return tl::unexpected("CTAPHID protocol version " + std::to_string(p[12]) + ", expected 2");
      }
      if (info != nullptr) {
        char buf[128];
        std::snprintf(buf, sizeof(buf), "CTAPHID v%u, device %u.%u.%u, capabilities 0x%02x%s%s%s", p[12], p[13], p[14],
                      p[15], p[16], (p[16] & hid::kCapWink) ? " WINK" : "", (p[16] & hid::kCapCbor) ? " CBOR" : "",
                      (p[16] & hid::kCapNmsg) ? " NMSG" : "");
        *info = buf;
      }
      return cid;
    }
  }

  // A small PING round trip: the channel works.
  Result ping_ok(std::uint32_t cid, const char* when) {
    const Bytes payload = random_bytes(16);
    if (!send_all(frame(cid, hid::Command::kPing, payload))) return tl::unexpected(std::string("write failed"));
    auto got = receive(cid, o_.reply_timeout_ms);
    if (!got) return tl::unexpected(std::string("PING ") + when + ": " + got.error());
    if (got->cmd != code(hid::Command::kPing) || got->payload != payload) {
      return tl::unexpected(std::string("PING ") + when + " answered with " + describe(*got));
    }
    return std::string();
  }

  Result check_init() {
    std::string info;
    auto a = allocate(&info);
    if (!a) return tl::unexpected(a.error());
    auto b = allocate();
    if (!b) return tl::unexpected("second INIT: " + b.error());
    if (*a == *b) return tl::unexpected("two INITs allocated the same CID " + hex32(*a));
    return "nonce echoed; CIDs " + hex32(*a) + " and " + hex32(*b) + "; " + info;
  }

  Result check_ping() {
    auto cid = allocate();
    if (!cid) return tl::unexpected(cid.error());
    const Bytes payload = random_bytes(o_.ping_size);
    auto reports = frame(*cid, hid::Command::kPing, payload);
    if (reports.empty()) return tl::unexpected("cannot frame a " + std::to_string(o_.ping_size) + "-byte PING");
    const std::uint64_t start = clock_.now_ms();
    if (!send_all(reports)) return tl::unexpected(std::string("write failed"));
    auto got = receive(*cid, o_.reply_timeout_ms);
    if (!got) return tl::unexpected(got.error());
    if (got->cmd != code(hid::Command::kPing)) return tl::unexpected("PING answered with " + describe(*got));
    if (got->payload.size() != payload.size()) {
      return tl::unexpected("echo of " + std::to_string(got->payload.size()) + " bytes, sent " +
                            std::to_string(payload.size()));
    }
    auto diff = std::mismatch(payload.begin(), payload.end(), got->payload.begin());
    if (diff.first != payload.end()) {
      return tl::unexpected("echo differs at byte " + std::to_string(diff.first - payload.begin()));
    }
    return std::to_string(payload.size()) + " bytes (" + std::to_string(reports.size()) +
           " reports each way) echoed in " + ms_text(ms_since(start));
  }

  Result check_invalid_seq() {
    auto cid = allocate();
    if (!cid) return tl::unexpected(cid.error());
    auto reports = frame(*cid, hid::Command::kPing, random_bytes(200));  // init + SEQ 0, 1, 2
    // §11.2.4: continuation packets count SEQ from 0; send SEQ 1 first.
    if (!ch_.write(reports[0]) || !ch_.write(reports[2])) return tl::unexpected(std::string("write failed"));
    auto got = receive(*cid, o_.reply_timeout_ms);
    if (!got) return tl::unexpected("after SEQ 1 in place of SEQ 0: " + got.error());
    if (!is_error(*got, hid::Error::kInvalidSeq)) {
      return tl::unexpected("SEQ 1 in place of SEQ 0 answered with " + describe(*got) + ", expected ERR_INVALID_SEQ");
    }
    if (auto ok = ping_ok(*cid, "after the error"); !ok) return ok;
    return std::string("SEQ 1 in place of SEQ 0 → ERR_INVALID_SEQ; the channel works afterwards");
  }

  Result check_channel_busy() {
    auto a = allocate();
    if (!a) return tl::unexpected(a.error());
    auto b = allocate();
    if (!b) return tl::unexpected(b.error());
    const Bytes payload = random_bytes(200);
    auto reports = frame(*a, hid::Command::kPing, payload);
    if (!ch_.write(reports[0])) return tl::unexpected(std::string("write failed"));  // A's transaction is open
    if (!send_all(frame(*b, hid::Command::kPing, random_bytes(8)))) return tl::unexpected(std::string("write failed"));
    auto busy = receive(*b, o_.reply_timeout_ms);
    if (!busy) return tl::unexpected("second channel during a transaction: " + busy.error());
    if (!is_error(*busy, hid::Error::kChannelBusy)) {
      return tl::unexpected("second channel during a transaction answered with " + describe(*busy) +
                            ", expected ERR_CHANNEL_BUSY");
    }
    for (std::size_t i = 1; i < reports.size(); ++i) {
      if (!ch_.write(reports[i])) return tl::unexpected(std::string("write failed"));
    }
    auto echo = receive(*a, o_.reply_timeout_ms);
    if (!echo) return tl::unexpected("the first transaction after the busy reply: " + echo.error());
    if (echo->cmd != code(hid::Command::kPing) || echo->payload != payload) {
      return tl::unexpected("the first transaction ended with " + describe(*echo));
    }
    return std::string("second channel → ERR_CHANNEL_BUSY; the first transaction completed");
  }

  // authenticatorSelection (CTAP 2.1 §6.9), or for CTAP 2.0 devices a non-resident
  // makeCredential for the RP ".dummy" (what libfido2 sends to wait for a touch; nothing is
  // stored): requests that make a key wait for the user.
  static Bytes touch_request(bool selection) {
    if (selection) return Bytes{static_cast<std::uint8_t>(CtapCommand::kSelection)};
    using cbor::Value;
    Value params = Value::map({
        {Value::uint(1), Value::bytes(Bytes(kClientDataHashLen, 0))},
        {Value::uint(2), Value::map({{Value::text("id"), Value::text(".dummy")}})},
        {Value::uint(3), Value::map({{Value::text("id"), Value::bytes(Bytes{0x01})},
                                     {Value::text("name"), Value::text("dummy")}})},
        {Value::uint(4), Value::array({Value::map({{Value::text("alg"), Value::integer(-7)},
                                                   {Value::text("type"), Value::text("public-key")}})})},
    });
    Bytes out{static_cast<std::uint8_t>(CtapCommand::kMakeCredential)};
    auto body = cbor::encode(params);
    if (body) out.insert(out.end(), body->begin(), body->end());
    return out;
  }

  Result check_cancel() {
    auto cid = allocate();
    if (!cid) return tl::unexpected(cid.error());
    // §11.2.9.1.5: CANCEL gets no response of its own.
    if (!send_all(frame(*cid, hid::Command::kCancel, {}))) return tl::unexpected(std::string("write failed"));
    if (auto stray = silence(*cid, o_.silence_ms)) {
      return tl::unexpected("CANCEL on an idle channel was answered with " + describe(*stray));
    }
    std::string immediate;
    for (bool selection : {true, false}) {
      const Bytes request = touch_request(selection);
      const char* what = selection ? "authenticatorSelection" : "makeCredential (.dummy)";
      if (!send_all(frame(*cid, hid::Command::kCbor, request))) return tl::unexpected(std::string("write failed"));
      auto first = receive(*cid, o_.reply_timeout_ms, true);
      if (!first) return tl::unexpected(std::string(what) + ": " + first.error());
      if (first->cmd == code(hid::Command::kKeepalive)) {
        // Waiting for the user: cancel it.
        const std::uint64_t start = clock_.now_ms();
        if (!send_all(frame(*cid, hid::Command::kCancel, {}))) return tl::unexpected(std::string("write failed"));
        auto end = receive(*cid, o_.reply_timeout_ms);
        if (!end) return tl::unexpected(std::string("after CANCEL of a pending ") + what + ": " + end.error());
        const auto cancelled = static_cast<std::uint8_t>(CtapStatus::kKeepaliveCancel);
        if (end->cmd != code(hid::Command::kCbor) || end->payload.empty() || end->payload[0] != cancelled) {
          return tl::unexpected(std::string("CANCEL of a pending ") + what + " ended with " + describe(*end) +
                                (end->payload.empty() ? "" : " status " + std::to_string(end->payload[0])) +
                                ", expected CTAP2_ERR_KEEPALIVE_CANCEL");
        }
        return std::string("idle CANCEL unanswered; pending ") + what + " cancelled → CTAP2_ERR_KEEPALIVE_CANCEL in " +
               ms_text(ms_since(start));
      }
      if (first->cmd != code(hid::Command::kCbor) || first->payload.empty()) {
        return tl::unexpected(std::string(what) + " answered with " + describe(*first));
      }
      const auto status = static_cast<CtapStatus>(first->payload[0]);
      immediate += std::string(immediate.empty() ? "" : ", ") + what + " " + std::string(status_name(status));
      // CTAP 2.0 devices do not know authenticatorSelection: try the makeCredential.
      if (!(selection && status == CtapStatus::kInvalidCommand)) break;
    }
    // Nothing waited for the user (an automatic key): a CANCEL after the answer must go unanswered.
    if (!send_all(frame(*cid, hid::Command::kCancel, {}))) return tl::unexpected(std::string("write failed"));
    if (auto stray = silence(*cid, o_.silence_ms)) {
      return tl::unexpected("CANCEL after a finished request was answered with " + describe(*stray));
    }
    if (auto ok = ping_ok(*cid, "after CANCEL"); !ok) return ok;
    return "idle CANCEL unanswered; no request waited for a touch (" + immediate + "), so none to cancel";
  }

  Result check_msg_timeout() {
    auto cid = allocate();
    if (!cid) return tl::unexpected(cid.error());
    auto reports = frame(*cid, hid::Command::kPing, random_bytes(200));
    const std::uint64_t start = clock_.now_ms();
    if (!ch_.write(reports[0])) return tl::unexpected(std::string("write failed"));  // and nothing more
    auto got = receive(*cid, o_.msg_timeout_wait_ms);
    if (!got) return tl::unexpected("an unfinished message: " + got.error() + ", expected ERR_MSG_TIMEOUT");
    if (!is_error(*got, hid::Error::kMsgTimeout)) {
      return tl::unexpected("an unfinished message got " + describe(*got) + ", expected ERR_MSG_TIMEOUT");
    }
    const double waited = ms_since(start);
    if (auto ok = ping_ok(*cid, "after the timeout"); !ok) return ok;
    return "ERR_MSG_TIMEOUT " + ms_text(waited) + " after the first packet; the channel works afterwards";
  }

  ReportChannel& ch_;
  ProbeOptions o_;
  SteadyClock steady_;
  const Clock& clock_;
  std::mt19937_64 rng_;
};

}  // namespace

std::vector<ProbeCheck> run_probe(ReportChannel& channel, const ProbeOptions& options) {
  return Prober(channel, options).run();
}

bool all_passed(const std::vector<ProbeCheck>& checks) {
  return !checks.empty() &&
         std::all_of(checks.begin(), checks.end(), [](const ProbeCheck& c) { return c.verdict == ProbeVerdict::kPass; });
}

std::string format_probe_table(const std::vector<ProbeCheck>& checks) {
  std::size_t width = 5;
  for (const auto& c : checks) width = std::max(width, c.name.size());
  auto pad = [](std::string s, std::size_t w) {
    s.resize(std::max(s.size(), w), ' ');
    return s;
  };
  std::string out = pad("check", width) + "  result  time      detail\n";
  for (const auto& c : checks) {
    char t[32];
    std::snprintf(t, sizeof(t), "%.0f ms", c.ms);
    out += pad(c.name, width) + "  " + (c.verdict == ProbeVerdict::kPass ? "PASS  " : "FAIL  ") + "  " +
           pad(t, 8) + "  " + c.detail + "\n";
  }
  return out;
}

}  // namespace vfido::host
