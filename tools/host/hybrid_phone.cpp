#include "tools/host/hybrid_phone.h"

#include <utility>  // first: Boost 1.74's awaitable.hpp needs std::exchange
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

namespace vfido::host {
namespace {

namespace asio = boost::asio;

}  // namespace

HybridPhone::HybridPhone(HybridPhoneOptions options, Log& log) : options_(std::move(options)), log_(log) {
  if (options_.key.log == nullptr) options_.key.log = &log_;
  key_ = std::make_unique<VirtualKey>(io_.io(), options_.key);
  adverts_ = std::make_shared<cable::UdpAdvertChannel>(io_.io().get_executor(), options_.advert, log_);
  options_.phone.identity = options_.identity.get();
  ctx_ = std::make_unique<cable::PhoneContext>(
      cable::PhoneContext{io_.io().get_executor(), key_->authenticator(), *adverts_, rng_, log_, options_.phone});
  key_->start();
  io_.start();
}

HybridPhone::~HybridPhone() {
  stop_listening();
  if (qr_result_) qr_result_->wait();
  io_.run_sync([this] {
    adverts_->stop_advertising();
    key_->shutdown();
  });
  io_.stop();
}

void HybridPhone::start_qr(const cable::QrContents& qr) {
  auto promise = std::make_shared<std::promise<cable::CableResult<cable::PhoneSummary>>>();
  qr_result_ = promise->get_future();
  asio::co_spawn(io_.io(), [this, qr]() { return cable::run_phone_qr(*ctx_, qr); },
                 [promise](std::exception_ptr e, cable::CableResult<cable::PhoneSummary> r) {
                   promise->set_value(e ? cable::CableResult<cable::PhoneSummary>(
                                              cable::cable_fail(cable::CableError::kInternal))
                                        : std::move(r));
                 });
}

std::optional<cable::CableResult<cable::PhoneSummary>> HybridPhone::wait_qr(std::chrono::milliseconds timeout) {
  if (!qr_result_) return std::nullopt;
  if (qr_result_->wait_for(timeout) != std::future_status::ready) return std::nullopt;
  auto r = qr_result_->get();
  qr_result_.reset();
  return r;
}

void HybridPhone::start_listening() {
  if (!options_.identity) return;
  io_.run_sync([this] {
    if (listener_) return;
    listener_ = std::make_shared<cable::ContactListener>(*ctx_, *options_.identity);
    asio::co_spawn(io_.io(), [l = listener_]() { return l->run(); }, asio::detached);
  });
}

void HybridPhone::stop_listening() {
  io_.run_sync([this] {
    if (!listener_) return;
    listener_->stop();
    listener_.reset();
  });
}

bool HybridPhone::wait_listening(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (io_.run_sync([this] { return listener_ && listener_->listening(); })) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

std::size_t HybridPhone::linked_sessions() {
  return io_.run_sync([this] { return listener_ ? listener_->sessions() : std::size_t{0}; });
}

}  // namespace vfido::host
