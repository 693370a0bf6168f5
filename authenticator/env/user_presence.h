// UserPresence port: asking the person at the key for a touch is asynchronous. The core asks,
// the transport keeps the host informed (CTAPHID_KEEPALIVE with STATUS_UPNEEDED) and maps
// CTAPHID_CANCEL to Authenticator::cancel(), which withdraws the request (style.md §13).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

namespace vfido {

enum class PresenceResult : std::uint8_t {
  kApproved,   // the user touched the key
  kDenied,     // the user declined            -> CTAP2_ERR_OPERATION_DENIED
};

// What the user is asked about, for prompts and test assertions.
struct PresenceRequest {
  enum class Purpose : std::uint8_t { kMakeCredential, kGetAssertion, kExcluded, kReset, kSelection, kOther };
  Purpose purpose = Purpose::kOther;
  std::string rp_id;
  std::string user_name;  // may be empty
  // Built-in user verification (a fingerprint, say) rather than a touch: approved means the user
  // was verified (and was present), denied means verification failed (CTAP 2.1 §6.5.5.7.3).
  bool verification = false;
};

class UserPresence {
 public:
  using Answer = std::function<void(PresenceResult)>;
  virtual ~UserPresence() = default;

  // Asks for a touch. `answer` is called at most once, possibly before request() returns.
  virtual void request(const PresenceRequest& req, Answer answer) = 0;
  // The core gave up on the outstanding request (CTAPHID_CANCEL or timeout): drop `answer`
  // without calling it.
  virtual void withdraw() = 0;
};

// Answers every request at once with the same result: automatic approval (the default for
// tests and CI) or automatic denial.
class AutoPresence final : public UserPresence {
 public:
  explicit AutoPresence(PresenceResult result = PresenceResult::kApproved) : result_(result) {}
  void request(const PresenceRequest&, Answer answer) override { answer(result_); }
  void withdraw() override {}
  void set(PresenceResult result) { result_ = result; }

 private:
  PresenceResult result_;
};

// Scripted answers, consumed in order, one per request. kHold leaves the request pending until
// resolve() is called (or the core withdraws it); an empty script holds too. Every request is
// recorded so tests can check what the user was asked.
class ScriptedPresence final : public UserPresence {
 public:
  enum class Step : std::uint8_t { kApprove, kDeny, kHold };

  explicit ScriptedPresence(std::vector<Step> script = {}) : script_(script.begin(), script.end()) {}

  void push(Step s) { script_.push_back(s); }
  void request(const PresenceRequest& req, Answer answer) override;
  void withdraw() override { pending_ = nullptr; }
  // Answers the held request; false when nothing is pending.
  bool resolve(PresenceResult result);

  bool pending() const { return static_cast<bool>(pending_); }
  const std::vector<PresenceRequest>& history() const { return history_; }

 private:
  std::deque<Step> script_;
  Answer pending_;
  std::vector<PresenceRequest> history_;
};

}  // namespace vfido
