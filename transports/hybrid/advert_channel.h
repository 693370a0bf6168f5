// How the phone's BLE advert reaches the desktop (hybrid-protocol.md §4.4). There is no
// Bluetooth here, so the advert travels through a pluggable channel: UdpAdvertChannel (loopback
// broadcast, the default) now; a BlueZ implementation would advertise the same payload through
// org.bluez.LEAdvertisingManager1 and scan with org.bluez.Adapter1.StartDiscovery, passing the
// service data it sees to the same handler. The payload is the BLE advertising data itself
// (advertising_data.h), so every implementation feeds the same parser.
#pragma once

#include <functional>

#include "authenticator/bytes.h"

namespace vfido::cable {

class AdvertChannel {
 public:
  using Handler = std::function<void(ByteSpan advertising_data)>;
  virtual ~AdvertChannel() = default;

  // Phone side: send `advertising_data` repeatedly until stop_advertising() (or a new call).
  virtual void start_advertising(Bytes advertising_data) = 0;
  virtual void stop_advertising() = 0;
  // Desktop side: call `handler` with every advertising payload seen until stop_scanning().
  virtual void start_scanning(Handler handler) = 0;
  virtual void stop_scanning() = 0;
};

}  // namespace vfido::cable
