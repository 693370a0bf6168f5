// How the simulated user answers the key (the UserPresence port, authenticator/env/
// user_presence.h), for the daemon: each key has a mode for plain touches (user presence) and
// one for built-in user verification (PresenceRequest::verification), each one of
//
//   approve  every request is answered yes at once (the default; tests and CI)
//   deny     every request is answered no at once
//   prompt   the person at the terminal answers (terminal_prompt.h)
//   api      the request waits until a control-API client answers it (control_api.h)
//
// Requests in prompt and api mode wait in the daemon's PresenceBroker, which every key of the
// daemon shares, until someone answers them or the core withdraws them (CTAPHID_CANCEL, the
// profile's up_timeout_ms, a power cycle, the key's removal). Everything runs on the daemon's
// one io_context thread, like the core.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "authenticator/env/user_presence.h"

namespace vfido::host {

enum class PresenceMode : std::uint8_t { kApprove, kDeny, kPrompt, kApi };

std::string_view presence_mode_name(PresenceMode mode);  // "approve", "deny", "prompt", "api"
std::optional<PresenceMode> parse_presence_mode(std::string_view name);
// The mode WebDriver's isUserConsenting/isUserVerified booleans mean (WebAuthn L3 §11.3).
inline PresenceMode presence_mode_of(bool yes) { return yes ? PresenceMode::kApprove : PresenceMode::kDeny; }

// What the user is asked, in a few words: "make credential", "sign in", "make credential
// (excluded)", "reset", "selection", "verify user" (built-in UV for a PIN/UV token) or "touch".
// A verification request for a command reads "verify user to sign in" and so on.
std::string describe_request(const PresenceRequest& request);
// A stable identifier of the purpose for scripts: "makeCredential", "getAssertion",
// "excluded", "reset", "selection", "other".
std::string_view purpose_id(PresenceRequest::Purpose purpose);

// One request that waits for an answer.
struct PendingRequest {
  std::uint64_t id = 0;          // unique in this daemon, increasing
  std::string key_id;            // the authenticator that asks
  PresenceRequest request;
  PresenceMode via = PresenceMode::kApi;  // kPrompt or kApi: who is expected to answer
  std::chrono::steady_clock::time_point since;
};

class PresenceBroker {
 public:
  enum class Removal : std::uint8_t { kAnswered, kWithdrawn };

  // Told about every request that starts or stops waiting (the terminal prompt).
  class Observer {
   public:
    virtual ~Observer() = default;
    virtual void added(const PendingRequest& request) = 0;
    virtual void removed(std::uint64_t id, Removal why) = 0;
  };

  // Keeps `answer` until answer() or withdraw(); returns the request's id.
  std::uint64_t submit(std::string key_id, const PresenceRequest& request, PresenceMode via,
                       UserPresence::Answer answer);
  // The core gave up on the request: forget it without answering. Unknown ids are ignored.
  void withdraw(std::uint64_t id);
  // Answers the request (the core continues inside this call); false when no such request waits.
  bool answer(std::uint64_t id, PresenceResult result);

  // Every waiting request, oldest first.
  std::vector<PendingRequest> pending() const;
  const PendingRequest* find(std::uint64_t id) const;
  std::size_t size() const { return entries_.size(); }

  // One observer at a time; null detaches.
  void set_observer(Observer* observer) { observer_ = observer; }

 private:
  struct Entry {
    PendingRequest info;
    UserPresence::Answer answer;
  };
  std::map<std::uint64_t, Entry> entries_;
  std::uint64_t next_id_ = 1;
  Observer* observer_ = nullptr;
};

// The UserPresence port of one daemon key: answers at once in approve/deny mode, otherwise
// hands the request to the broker and forwards the core's withdraw().
class ControlledPresence final : public UserPresence {
 public:
  // `broker` may be null when neither mode is prompt or api; throws std::invalid_argument
  // otherwise.
  ControlledPresence(PresenceMode presence, PresenceMode verification, PresenceBroker* broker, std::string key_id);
  ~ControlledPresence() override;
  ControlledPresence(const ControlledPresence&) = delete;
  ControlledPresence& operator=(const ControlledPresence&) = delete;

  void request(const PresenceRequest& req, Answer answer) override;
  void withdraw() override;

  // New modes apply to the next request; one already waiting keeps waiting for its answer.
  // False (nothing changed) when the mode needs a broker and there is none.
  bool set_presence(PresenceMode mode);
  bool set_verification(PresenceMode mode);
  PresenceMode presence() const { return presence_; }
  PresenceMode verification() const { return verification_; }
  const std::string& key_id() const { return key_id_; }
  // The id of this key's request waiting in the broker, if any.
  std::optional<std::uint64_t> waiting() const { return waiting_; }

 private:
  bool usable(PresenceMode mode) const;

  PresenceMode presence_;
  PresenceMode verification_;
  PresenceBroker* broker_;
  std::string key_id_;
  std::optional<std::uint64_t> waiting_;
};

}  // namespace vfido::host
