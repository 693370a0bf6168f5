#include "tools/host/hybrid_desktop.h"

#include <utility>  // first: Boost 1.74's awaitable.hpp needs std::exchange
#include <chrono>
#include <future>
#include <stdexcept>

#include <boost/asio/co_spawn.hpp>

namespace vfido::host {
namespace {

namespace asio = boost::asio;

cable::DesktopQr make_qr(Rng& rng, const HybridDesktopOptions& o) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  auto qr = cable::DesktopQr::generate(rng, o.hint, static_cast<std::uint64_t>(now), o.supports_linking);
  if (!qr) throw std::runtime_error("cannot make a QR key");
  return std::move(*qr);
}

// Runs `make()` (an awaitable) on `io` and waits for its result.
template <typename T, typename Make>
cable::CableResult<T> run_blocking(BackgroundIo& io, Make make) {
  std::promise<cable::CableResult<T>> done;
  asio::co_spawn(io.io(), std::move(make), [&done](std::exception_ptr e, cable::CableResult<T> r) {
    done.set_value(e ? cable::CableResult<T>(cable::cable_fail(cable::CableError::kInternal)) : std::move(r));
  });
  return done.get_future().get();
}

}  // namespace

HybridDesktop::HybridDesktop(HybridDesktopOptions options, Log& log)
    : options_(std::move(options)), log_(log), qr_(make_qr(rng_, options_)) {
  adverts_ = std::make_shared<cable::UdpAdvertChannel>(io_.io().get_executor(), options_.advert, log_);
  io_.start();
}

HybridDesktop::~HybridDesktop() {
  close();
  io_.run_sync([this] {
    adverts_->stop_scanning();
    adverts_.reset();
  });
  io_.stop();
}

cable::CableResult<std::shared_ptr<HybridLink>> HybridDesktop::connect_qr() {
  auto ex = io_.io().get_executor();
  auto conn = run_blocking<cable::QrConnection>(io_, [this, ex]() {
    return cable::connect_qr(ex, qr_, *adverts_, options_.desktop, rng_, log_);
  });
  if (!conn) return cable::cable_fail(conn.error());
  domain_ = conn->domain;
  link_ = std::make_shared<HybridLink>(ex, conn->channel);
  return link_;
}

cable::CableResult<std::shared_ptr<HybridLink>> HybridDesktop::connect_linked(const cable::LinkedDevice& device) {
  auto ex = io_.io().get_executor();
  auto channel = run_blocking<std::shared_ptr<cable::DesktopChannel>>(io_, [this, ex, &device]() {
    return cable::connect_linked(ex, device, options_.hint, *adverts_, options_.desktop, rng_, log_);
  });
  if (!channel) return cable::cable_fail(channel.error());
  domain_ = device.domain;
  link_ = std::make_shared<HybridLink>(ex, *channel);
  return link_;
}

std::optional<cable::LinkedDevice> HybridDesktop::linked_device(std::chrono::milliseconds timeout) {
  if (!link_) return std::nullopt;
  std::promise<std::optional<cable::LinkingInfo>> done;
  auto channel = link_->channel();
  asio::co_spawn(io_.io(), [channel, timeout]() { return channel->wait_for_linking(timeout); },
                 [&done](std::exception_ptr e, std::optional<cable::LinkingInfo> info) {
                   done.set_value(e ? std::nullopt : std::move(info));
                 });
  auto info = done.get_future().get();
  if (!info) return std::nullopt;
  return cable::LinkedDevice{std::move(*info), domain_};
}

void HybridDesktop::close() {
  if (!link_) return;
  link_->close();
  link_.reset();
}

}  // namespace vfido::host
