// CTAPHID transport conformance checks (CTAP 2.1 §11.2), run from the host side over raw
// reports, against any FIDO HID device: `vfido probe` on a hidraw node, and tests on vfido's
// Unix and UDP transports. Each check allocates its own channel and leaves the device idle.
//
//   init          §11.2.9.1.3  INIT on the broadcast CID: nonce echoed, a new CID (not 0, not
//                              broadcast), protocol version 2; a second INIT gives another CID
//   ping          §11.2.9.1.1  a PING of the largest message (7609 bytes) comes back unchanged
//   invalid_seq   §11.2.4      a continuation packet with the wrong SEQ → ERR_INVALID_SEQ
//   channel_busy  §11.2.5.1    a second channel during a transaction → ERR_CHANNEL_BUSY, and the
//                              first transaction still completes
//   cancel        §11.2.9.1.5  CANCEL on an idle channel gets no response; a request waiting for
//                              a touch ends with CTAP2_ERR_KEEPALIVE_CANCEL (when the device makes
//                              one wait: authenticatorSelection, else a throw-away non-resident
//                              makeCredential as libfido2 uses for touch detection)
//   msg_timeout   §11.2.5.2    a message left unfinished → ERR_MSG_TIMEOUT
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "authenticator/env/clock.h"
#include "tools/host/report_channel.h"

namespace vfido::host {

enum class ProbeVerdict : std::uint8_t { kPass, kFail };

struct ProbeCheck {
  std::string name;
  ProbeVerdict verdict = ProbeVerdict::kFail;
  std::string detail;
  double ms = 0;
};

struct ProbeOptions {
  std::size_t ping_size = 7609;   // §11.2.4: 57 + 128 x 59 bytes, the largest message
  int reply_timeout_ms = 3000;    // for each expected reply
  int msg_timeout_wait_ms = 5000; // how long to wait for ERR_MSG_TIMEOUT (the spec sets no value)
  int silence_ms = 300;           // how long "no response" has to hold
  std::uint64_t seed = 0;         // nonces and payloads; 0 = a random seed
  // Deadlines and durations; null = the steady clock. Tests pass the ManualClock that an
  // in-memory device shares, so waiting for a timeout takes no real time.
  const Clock* clock = nullptr;
};

std::vector<ProbeCheck> run_probe(ReportChannel& channel, const ProbeOptions& options = {});

bool all_passed(const std::vector<ProbeCheck>& checks);

// A table: check, PASS/FAIL, time, detail.
std::string format_probe_table(const std::vector<ProbeCheck>& checks);

}  // namespace vfido::host
