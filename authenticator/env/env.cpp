#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <chrono>
#include <cstdlib>

#include "authenticator/crypto/hash.h"
#include "authenticator/env/clock.h"
#include "authenticator/env/rng.h"
#include "authenticator/env/user_presence.h"

namespace vfido {

std::uint64_t SteadyClock::now_ms() const {
  auto d = std::chrono::steady_clock::now().time_since_epoch();
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

void OpenSslRng::fill(std::span<std::uint8_t> out) {
  if (out.empty()) return;
  if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
    // No randomness means no safe key material: stopping is the only correct answer.
    std::abort();
  }
}

void SeededRng::fill(std::span<std::uint8_t> out) {
  std::size_t off = 0;
  while (off < out.size()) {
    ByteWriter w(16);
    w.u32be(static_cast<std::uint32_t>(seed_ >> 32)).u32be(static_cast<std::uint32_t>(seed_));
    w.u32be(static_cast<std::uint32_t>(counter_ >> 32)).u32be(static_cast<std::uint32_t>(counter_));
    ++counter_;
    crypto::Sha256Digest block = crypto::sha256(w.view());
    std::size_t n = std::min(block.size(), out.size() - off);
    std::copy_n(block.begin(), n, out.begin() + static_cast<std::ptrdiff_t>(off));
    off += n;
  }
}

void ScriptedPresence::request(const PresenceRequest& req, Answer answer) {
  history_.push_back(req);
  Step step = Step::kHold;
  if (!script_.empty()) {
    step = script_.front();
    script_.pop_front();
  }
  switch (step) {
    case Step::kApprove:
      answer(PresenceResult::kApproved);
      return;
    case Step::kDeny:
      answer(PresenceResult::kDenied);
      return;
    case Step::kHold:
      pending_ = std::move(answer);
      return;
  }
}

bool ScriptedPresence::resolve(PresenceResult result) {
  if (!pending_) return false;
  Answer a = std::move(pending_);
  pending_ = nullptr;
  a(result);
  return true;
}

}  // namespace vfido
