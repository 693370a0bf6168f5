// Adapter from the CTAP2 core (vfido::Authenticator) to the CTAPHID Device interface.
// CTAPHID_MSG (U2F) is offered when the profile lists "U2F_V2"; otherwise INIT reports
// CAPABILITY_NMSG (CTAP 2.1 §11.2.9.1.3). WINK (§11.2.9.2.1) is offered and only counted, as a
// virtual key has no LED.
#pragma once

#include <cstddef>

#include "authenticator/authenticator.h"
#include "transports/ctaphid/device.h"

namespace vfido::transport::ctaphid {

class AuthenticatorDevice final : public Device {
 public:
  explicit AuthenticatorDevice(vfido::Authenticator& a) : authenticator_(a) {}

  std::optional<Bytes> cbor(ByteSpan request, Reply later) override;
  std::optional<Bytes> msg(ByteSpan apdu, Reply later) override;
  bool supports_msg() const override { return authenticator_.profile().serves_u2f(); }
  bool supports_wink() const override { return true; }
  void wink() override { ++wink_count_; }
  void cancel() override;
  void poll() override;
  bool waiting_for_user() const override;

  std::size_t wink_count() const { return wink_count_; }

 private:
  vfido::Authenticator& authenticator_;
  std::size_t wink_count_ = 0;
};

}  // namespace vfido::transport::ctaphid
