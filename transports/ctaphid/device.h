// What CTAPHID carries (CTAP 2.1 §11.2.9): the CBOR and MSG payloads, WINK, CANCEL and the
// keepalive status. The Server talks only to this interface; AuthenticatorDevice adapts
// vfido::Authenticator to it and tests substitute fakes.
#pragma once

#include <functional>
#include <optional>

#include "authenticator/bytes.h"

namespace vfido::transport::ctaphid {

class Device {
 public:
  using Reply = std::function<void(Bytes)>;
  virtual ~Device() = default;
  // CTAPHID_CBOR payload (command byte || CBOR). Response now, or nullopt and `later` is called
  // exactly once (possibly from inside cancel() or poll()).
  virtual std::optional<Bytes> cbor(ByteSpan request, Reply later) = 0;
  // CTAPHID_MSG (U2F APDU). Only called when supports_msg() is true.
  virtual std::optional<Bytes> msg(ByteSpan apdu, Reply later) = 0;
  virtual bool supports_msg() const = 0;
  virtual bool supports_wink() const = 0;
  virtual void wink() = 0;
  virtual void cancel() = 0;  // CTAPHID_CANCEL for the pending request
  virtual void poll() = 0;    // called from Server::tick()
  virtual bool waiting_for_user() const = 0;  // keepalive status UPNEEDED vs PROCESSING
};

}  // namespace vfido::transport::ctaphid
