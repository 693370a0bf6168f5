#include "tools/host/presence_broker.h"

#include <stdexcept>
#include <utility>

namespace vfido::host {

std::string_view presence_mode_name(PresenceMode mode) {
  switch (mode) {
    case PresenceMode::kApprove:
      return "approve";
    case PresenceMode::kDeny:
      return "deny";
    case PresenceMode::kPrompt:
      return "prompt";
    case PresenceMode::kApi:
      return "api";
  }
  return "approve";
}

std::optional<PresenceMode> parse_presence_mode(std::string_view name) {
  for (PresenceMode m : {PresenceMode::kApprove, PresenceMode::kDeny, PresenceMode::kPrompt, PresenceMode::kApi}) {
    if (presence_mode_name(m) == name) return m;
  }
  return std::nullopt;
}

std::string_view purpose_id(PresenceRequest::Purpose purpose) {
  using P = PresenceRequest::Purpose;
  switch (purpose) {
    case P::kMakeCredential:
      return "makeCredential";
    case P::kGetAssertion:
      return "getAssertion";
    case P::kExcluded:
      return "excluded";
    case P::kReset:
      return "reset";
    case P::kSelection:
      return "selection";
    case P::kOther:
      return "other";
  }
  return "other";
}

std::string describe_request(const PresenceRequest& request) {
  using P = PresenceRequest::Purpose;
  std::string what;
  switch (request.purpose) {
    case P::kMakeCredential:
      what = "make credential";
      break;
    case P::kGetAssertion:
      what = "sign in";
      break;
    case P::kExcluded:
      what = "make credential (excluded: one already exists for this user)";
      break;
    case P::kReset:
      what = "reset (deletes every credential and the PIN)";
      break;
    case P::kSelection:
      what = "selection";
      break;
    case P::kOther:
      break;
  }
  if (request.verification) return what.empty() ? "verify user" : "verify user to " + what;
  return what.empty() ? "touch" : what;
}

std::uint64_t PresenceBroker::submit(std::string key_id, const PresenceRequest& request, PresenceMode via,
                                     UserPresence::Answer answer) {
  const std::uint64_t id = next_id_++;
  Entry e{PendingRequest{id, std::move(key_id), request, via, std::chrono::steady_clock::now()}, std::move(answer)};
  auto [it, inserted] = entries_.emplace(id, std::move(e));
  (void)inserted;
  if (observer_ != nullptr) observer_->added(it->second.info);
  return id;
}

void PresenceBroker::withdraw(std::uint64_t id) {
  if (entries_.erase(id) == 0) return;
  if (observer_ != nullptr) observer_->removed(id, Removal::kWithdrawn);
}

bool PresenceBroker::answer(std::uint64_t id, PresenceResult result) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return false;
  // Forgotten before the core hears the answer: the core may ask again from inside the call.
  UserPresence::Answer answer = std::move(it->second.answer);
  entries_.erase(it);
  if (observer_ != nullptr) observer_->removed(id, Removal::kAnswered);
  if (answer) answer(result);
  return true;
}

std::vector<PendingRequest> PresenceBroker::pending() const {
  std::vector<PendingRequest> out;
  out.reserve(entries_.size());
  for (const auto& [id, e] : entries_) out.push_back(e.info);  // std::map: ids ascend, oldest first
  return out;
}

const PendingRequest* PresenceBroker::find(std::uint64_t id) const {
  auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : &it->second.info;
}

ControlledPresence::ControlledPresence(PresenceMode presence, PresenceMode verification, PresenceBroker* broker,
                                       std::string key_id)
    : presence_(presence), verification_(verification), broker_(broker), key_id_(std::move(key_id)) {
  if (!usable(presence) || !usable(verification)) {
    throw std::invalid_argument("presence modes prompt and api need the daemon's presence broker");
  }
}

ControlledPresence::~ControlledPresence() { withdraw(); }

bool ControlledPresence::usable(PresenceMode mode) const {
  return broker_ != nullptr || mode == PresenceMode::kApprove || mode == PresenceMode::kDeny;
}

bool ControlledPresence::set_presence(PresenceMode mode) {
  if (!usable(mode)) return false;
  presence_ = mode;
  return true;
}

bool ControlledPresence::set_verification(PresenceMode mode) {
  if (!usable(mode)) return false;
  verification_ = mode;
  return true;
}

void ControlledPresence::request(const PresenceRequest& req, Answer answer) {
  const PresenceMode mode = req.verification ? verification_ : presence_;
  if (mode == PresenceMode::kApprove || mode == PresenceMode::kDeny) {
    answer(mode == PresenceMode::kApprove ? PresenceResult::kApproved : PresenceResult::kDenied);
    return;
  }
  withdraw();  // the core asks one thing at a time; a stale request must not linger
  waiting_ = broker_->submit(key_id_, req, mode, [this, answer = std::move(answer)](PresenceResult r) {
    waiting_.reset();
    answer(r);
  });
}

void ControlledPresence::withdraw() {
  if (!waiting_) return;
  const std::uint64_t id = *waiting_;
  waiting_.reset();
  if (broker_ != nullptr) broker_->withdraw(id);
}

}  // namespace vfido::host
