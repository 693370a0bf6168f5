// The transport under a caBLE v2 session (style.md §16 c): whole binary messages in order, as
// the tunnel's WebSocket carries them (hybrid-protocol.md §6.2). WebSocketPipe is the real one;
// MemoryPipe joins two sessions in one process for tests. Every member is called from the one
// executor the pipe was made on; at most one read and one write are outstanding at a time.
#pragma once

#include <chrono>
#include <memory>
#include <utility>  // before awaitable.hpp (Boost 1.74)

#include <boost/asio/awaitable.hpp>

#include "authenticator/bytes.h"
#include "transports/hybrid/cable_error.h"

namespace vfido::cable {

class MessagePipe {
 public:
  virtual ~MessagePipe() = default;

  // The next message. kTimeout when none came within `timeout` (the pipe is then closed),
  // kTunnelClosed when the peer or the server closed, kOversized for a message above the limit,
  // kBadMessage for a text message.
  virtual boost::asio::awaitable<CableResult<Bytes>> read(std::chrono::milliseconds timeout) = 0;
  // Sends one message; kTunnelClosed when the pipe is closed.
  virtual boost::asio::awaitable<CableResult<void>> write(Bytes message) = 0;
  // Closes in an orderly way (a WebSocket close handshake, bounded in time). Idempotent.
  virtual boost::asio::awaitable<void> close() = 0;
  // Closes at once without a handshake (destructors, fatal errors). Idempotent.
  virtual void abort() = 0;
};

}  // namespace vfido::cable
