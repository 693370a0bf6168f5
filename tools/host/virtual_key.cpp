#include "tools/host/virtual_key.h"

#include <chrono>
#include <exception>
#include <future>
#include <iostream>
#include <stdexcept>
#include <utility>

#include <boost/asio/post.hpp>

namespace vfido::host {
namespace {

AuthenticatorProfile validated(AuthenticatorProfile profile) {
  if (auto ok = profile.validate(); !ok) {
    throw std::invalid_argument("invalid authenticator profile: " + ok.error());
  }
  return profile;
}

}  // namespace

void StderrLog::write(LogLevel level, std::string_view message) {
  if (!enabled_) return;
  std::cerr << "vfido: " << log_level_name(level) << ": " << message << '\n';
}

VirtualKey::VirtualKey(boost::asio::io_context& io, KeyOptions options)
    : io_(io),
      presence_(options.presence, options.verification, options.broker, options.key_id),
      active_store_(options.store != nullptr ? options.store : &store_),
      stderr_log_(options.verbose),
      log_(options.log != nullptr ? *options.log : static_cast<Log&>(stderr_log_)),
      authenticator_(validated(std::move(options.profile)),
                     Env{clock_, rng_, presence_, *active_store_, options.state != nullptr ? *options.state : state_,
                         log_}),
      device_(authenticator_),
      logged_device_(device_, std::move(options.on_command), options.command_bytes),
      server_(logged_device_, clock_, rng_, [this](const transport::ctaphid::Report& r) { fan_out(r); }),
      timer_(io) {}

VirtualKey::~VirtualKey() {
  // Normally shutdown() ran already; this covers a key destroyed without running. Transports
  // are closed so their socket files go away even then.
  for (auto& t : udp_) t->close();
  for (auto& t : unix_) t->close();
  for (auto& t : uhid_) t->close();
}

std::uint16_t VirtualKey::add_udp(const transport::udp::Options& options) {
  auto t = std::make_shared<transport::udp::UdpTransport>(
      io_.get_executor(), options, [this](ByteSpan report) { feed(report); }, log_);
  t->on_reboot([this] { power_cycle(); });  // the solo1 simulator's reboot datagram
  udp_.push_back(t);
  if (started_ && !stopped_) t->start();
  return t->local_port();
}

void VirtualKey::power_cycle() {
  log_.write(LogLevel::kInfo, "power cycle");
  authenticator_.power_cycle();
}

void VirtualKey::add_unix(const std::string& path) {
  auto t = std::make_shared<transport::unix_socket::UnixTransport>(
      io_.get_executor(), path, [this](ByteSpan report) { feed(report); }, log_);
  unix_.push_back(t);
  if (started_ && !stopped_) t->start();
}

std::shared_ptr<transport::uhid::UhidTransport> VirtualKey::add_uhid(const transport::uhid::Options& options,
                                                                     int adopt_fd) {
  auto on_report = [this](ByteSpan report) { feed(report); };
  auto t = adopt_fd >= 0
               ? std::make_shared<transport::uhid::UhidTransport>(io_.get_executor(), adopt_fd, options, on_report, log_)
               : transport::uhid::UhidTransport::open(io_.get_executor(), options, on_report, log_);
  // The device exists as soon as it is added (hosts may enumerate it before run()); reports it
  // sends wait in the io_context until run() reads them.
  t->start();
  uhid_.push_back(t);
  return t;
}

void VirtualKey::start() {
  if (started_) return;
  started_ = true;
  for (auto& t : udp_) t->start();
  for (auto& t : unix_) t->start();
  schedule_tick();
}

void VirtualKey::run() {
  start();
  io_.run();
}

void VirtualKey::shutdown() {
  if (stopped_) return;
  stopped_ = true;
  timer_.cancel();
  for (auto& t : udp_) t->close();
  for (auto& t : unix_) t->close();
  for (auto& t : uhid_) t->close();  // UHID_DESTROY: the hidraw node goes away
  log_.write(LogLevel::kInfo, "key stopped");
}

void VirtualKey::feed(ByteSpan report) {
  if (!stopped_) server_.feed(report);
}

// Every report the key sends reaches every transport; hosts keep their own channel's reports.
void VirtualKey::fan_out(const transport::ctaphid::Report& report) {
  for (auto& t : udp_) t->send(report);
  for (auto& t : unix_) t->send(report);
  for (auto& t : uhid_) t->send(report);
}

void VirtualKey::schedule_tick() {
  timer_.expires_after(std::chrono::milliseconds(kTickMs));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    server_.tick();
    schedule_tick();
  });
}

BackgroundKey::BackgroundKey(KeyOptions options) : key_(std::make_unique<VirtualKey>(io_, std::move(options))) {}

BackgroundKey::~BackgroundKey() { stop(); }

std::uint16_t BackgroundKey::add_udp(const transport::udp::Options& options) { return key_->add_udp(options); }

void BackgroundKey::add_unix(const std::string& path) { key_->add_unix(path); }

void BackgroundKey::start() {
  if (thread_.joinable()) return;
  key_->start();  // transports already listen, so clients may connect as soon as this returns
  thread_ = std::thread([this] {
    try {
      io_.run();
    } catch (const std::exception& e) {
      std::cerr << "vfido: key thread stopped by an exception: " << e.what() << '\n';
    }
  });
}

void BackgroundKey::on_key(const std::function<void(VirtualKey&)>& f) {
  if (!thread_.joinable()) {
    f(*key_);
    return;
  }
  std::promise<void> done;
  boost::asio::post(io_, [&] {
    try {
      f(*key_);
      done.set_value();
    } catch (...) {
      done.set_exception(std::current_exception());
    }
  });
  done.get_future().get();
}

void BackgroundKey::stop() {
  if (!thread_.joinable()) return;
  // The core is single-threaded: shut down from the key's own thread, then let run() drain.
  boost::asio::post(io_, [this] { key_->shutdown(); });
  thread_.join();
}

}  // namespace vfido::host
