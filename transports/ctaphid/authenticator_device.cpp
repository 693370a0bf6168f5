#include "transports/ctaphid/authenticator_device.h"

#include <utility>

namespace vfido::transport::ctaphid {

std::optional<Bytes> AuthenticatorDevice::cbor(ByteSpan request, Reply later) {
  // CTAP 2.1 §11.2.9.1.2: the payload is the CTAP2 command byte || CBOR parameters (§8.1).
  return authenticator_.handle(request, std::move(later));
}

std::optional<Bytes> AuthenticatorDevice::msg(ByteSpan apdu, Reply) {
  // The Server never calls this while supports_msg() is false (NMSG). Should it happen anyway,
  // answer like a U2F device that lacks the instruction: ISO 7816-4 SW_INS_NOT_SUPPORTED.
  if (!supports_msg()) return Bytes{0x6D, 0x00};
  // CTAP 2.1 §11.2.9.1.1: the payload is a U2F request APDU; U2F always answers at once.
  return authenticator_.handle_u2f(apdu);
}

void AuthenticatorDevice::cancel() {
  // CTAP 2.1 §11.2.9.1.5: the pending request ends with CTAP2_ERR_KEEPALIVE_CANCEL.
  authenticator_.cancel();
}

void AuthenticatorDevice::poll() { authenticator_.poll(); }

bool AuthenticatorDevice::waiting_for_user() const { return authenticator_.waiting_for_user(); }

}  // namespace vfido::transport::ctaphid
