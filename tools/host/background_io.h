// An io_context on its own thread, kept alive until stop(): for in-process tunnel servers,
// phones and desktops (tests, `vfido demo`). run_sync() runs a function on that thread and
// waits for it, which is how other threads touch what lives there (style.md §17).
#pragma once

#include <exception>
#include <future>
#include <iostream>
#include <optional>
#include <thread>
#include <utility>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace vfido::host {

class BackgroundIo {
 public:
  BackgroundIo() : work_(boost::asio::make_work_guard(io_)) {}
  ~BackgroundIo() { stop(); }
  BackgroundIo(const BackgroundIo&) = delete;
  BackgroundIo& operator=(const BackgroundIo&) = delete;

  boost::asio::io_context& io() { return io_; }

  void start() {
    if (thread_.joinable()) return;
    thread_ = std::thread([this] {
      for (;;) {
        try {
          io_.run();
          return;
        } catch (const std::exception& e) {
          std::cerr << "vfido: background thread: " << e.what() << '\n';
        }
      }
    });
  }

  // Lets the io_context run out of work (pending handlers still run), then joins.
  void stop() {
    if (!thread_.joinable()) return;
    work_.reset();
    thread_.join();
  }

  template <typename F>
  auto run_sync(F&& f) -> decltype(f()) {
    using R = decltype(f());
    if (!thread_.joinable() || thread_.get_id() == std::this_thread::get_id()) return f();
    std::promise<R> done;
    boost::asio::post(io_, [&] {
      try {
        if constexpr (std::is_void_v<R>) {
          f();
          done.set_value();
        } else {
          done.set_value(f());
        }
      } catch (...) {
        done.set_exception(std::current_exception());
      }
    });
    return done.get_future().get();
  }

 private:
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::thread thread_;
};

}  // namespace vfido::host
