// An in-memory StateStore (authenticator/device_state.h): the device state lives as long as the
// object. Used by tests and by keys without a persistent store.
#pragma once

#include <optional>

#include "authenticator/device_state.h"

namespace vfido::credstore {

class MemoryStateStore final : public StateStore {
 public:
  StoreResult<std::optional<Bytes>> load_state() override { return saved_; }
  StoreResult<void> save_state(ByteSpan encoded) override {
    if (fail_saves_) return tl::unexpected(StoreError::kIo);
    saved_ = Bytes(encoded.begin(), encoded.end());
    ++saves_;
    return {};
  }
  // How many times the core saved (tests check that refused requests change nothing).
  std::size_t saves() const { return saves_; }
  const std::optional<Bytes>& saved() const { return saved_; }
  // Tests: make every later save fail with kIo (a full or broken medium).
  void fail_saves(bool fail) { fail_saves_ = fail; }

 private:
  bool fail_saves_ = false;
  std::optional<Bytes> saved_;
  std::size_t saves_ = 0;
};

}  // namespace vfido::credstore
