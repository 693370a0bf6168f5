// A wake-up a coroutine can wait for with a deadline, on one executor (style.md §17: one
// io_context thread): notify() before or during the wait both count. Built on a steady_timer
// whose cancellation is the signal.
#pragma once

#include <chrono>
#include <utility>  // before awaitable.hpp: Boost 1.74's awaitable.hpp uses std::exchange without it

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace vfido::cable {

class AsyncEvent {
 public:
  using Clock = std::chrono::steady_clock;

  explicit AsyncEvent(const boost::asio::any_io_executor& ex) : timer_(ex) {}

  // True when notified (the notification is consumed), false when the deadline passed first.
  boost::asio::awaitable<bool> wait_until(Clock::time_point deadline) {
    for (;;) {
      if (notified_) {
        notified_ = false;
        co_return true;
      }
      if (Clock::now() >= deadline) co_return false;
      timer_.expires_at(deadline);
      boost::system::error_code ec;
      co_await timer_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    }
  }

  void notify() {
    notified_ = true;
    timer_.cancel();
  }

 private:
  boost::asio::steady_timer timer_;
  bool notified_ = false;
};

}  // namespace vfido::cable
