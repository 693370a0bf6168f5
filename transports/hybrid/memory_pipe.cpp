#include "transports/hybrid/memory_pipe.h"

#include <utility>  // first: Boost 1.74's awaitable.hpp needs std::exchange
#include <array>

#include "transports/hybrid/async_event.h"

namespace vfido::cable {
namespace {

namespace asio = boost::asio;

struct Shared;

class MemoryPipe final : public MessagePipe {
 public:
  MemoryPipe(std::shared_ptr<Shared> shared, int side, const asio::any_io_executor& ex)
      : shared_(std::move(shared)), side_(side), arrived_(ex) {}
  ~MemoryPipe() override { abort(); }

  asio::awaitable<CableResult<Bytes>> read(std::chrono::milliseconds timeout) override;
  asio::awaitable<CableResult<void>> write(Bytes message) override;
  asio::awaitable<void> close() override {
    abort();
    co_return;
  }
  void abort() override;

  std::deque<Bytes> inbox;
  bool peer_closed = false;
  AsyncEvent& arrived() { return arrived_; }

 private:
  std::shared_ptr<Shared> shared_;
  int side_;
  bool closed_ = false;
  AsyncEvent arrived_;
};

struct Shared {
  PipeFilter filter;
  std::size_t max_message = 0;
  std::array<MemoryPipe*, 2> ends{nullptr, nullptr};
};

asio::awaitable<CableResult<Bytes>> MemoryPipe::read(std::chrono::milliseconds timeout) {
  const auto deadline = AsyncEvent::Clock::now() + timeout;
  for (;;) {
    if (closed_) co_return cable_fail(CableError::kTunnelClosed);
    if (!inbox.empty()) {
      Bytes m = std::move(inbox.front());
      inbox.pop_front();
      co_return m;
    }
    if (peer_closed) co_return cable_fail(CableError::kTunnelClosed);
    if (!co_await arrived_.wait_until(deadline)) {
      abort();
      co_return cable_fail(CableError::kTimeout);
    }
  }
}

asio::awaitable<CableResult<void>> MemoryPipe::write(Bytes message) {
  MemoryPipe* peer = shared_->ends[static_cast<std::size_t>(1 - side_)];
  if (closed_ || peer == nullptr) co_return cable_fail(CableError::kTunnelClosed);
  if (message.size() > shared_->max_message) co_return cable_fail(CableError::kOversized);
  std::vector<Bytes> out;
  if (shared_->filter) {
    out = shared_->filter(side_ == 0, std::move(message));
  } else {
    out.push_back(std::move(message));
  }
  for (auto& m : out) peer->inbox.push_back(std::move(m));
  if (!out.empty()) peer->arrived().notify();
  co_return CableResult<void>{};
}

void MemoryPipe::abort() {
  if (closed_) return;
  closed_ = true;
  shared_->ends[static_cast<std::size_t>(side_)] = nullptr;
  MemoryPipe* peer = shared_->ends[static_cast<std::size_t>(1 - side_)];
  if (peer != nullptr) {
    peer->peer_closed = true;
    peer->arrived().notify();
  }
  arrived_.notify();
}

}  // namespace

std::pair<std::shared_ptr<MessagePipe>, std::shared_ptr<MessagePipe>> make_memory_pipe_pair(
    const asio::any_io_executor& ex, PipeFilter filter, std::size_t max_message) {
  auto shared = std::make_shared<Shared>();
  shared->filter = std::move(filter);
  shared->max_message = max_message;
  auto a = std::make_shared<MemoryPipe>(shared, 0, ex);
  auto b = std::make_shared<MemoryPipe>(shared, 1, ex);
  shared->ends = {a.get(), b.get()};
  return {a, b};
}

}  // namespace vfido::cable
