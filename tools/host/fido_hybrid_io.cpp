#include "tools/host/fido_hybrid_io.h"

#include <utility>  // first: Boost 1.74's awaitable.hpp needs std::exchange
#include <array>
#include <atomic>
#include <future>
#include <cstring>
#include <map>
#include <string>

#include <boost/asio/co_spawn.hpp>

namespace vfido::host {
namespace {

namespace asio = boost::asio;

// CTAPHID command codes as libfido2 passes them to the transport (CTAP 2.1 §11.2.9), without
// the 0x80 frame bit.
constexpr std::uint8_t kCmdMsg = 0x03;
constexpr std::uint8_t kCmdInit = 0x06;
constexpr std::uint8_t kCmdCbor = 0x10;
constexpr std::uint8_t kCmdCancel = 0x11;
// CTAPHID_INIT response (CTAP 2.1 §11.2.9.1.3): nonce(8) cid(4) protocol major minor build caps.
constexpr std::size_t kInitNonceLen = 8;
constexpr std::size_t kInitResponseLen = 17;
constexpr std::uint8_t kCtaphidProtocol = 2;
constexpr std::uint8_t kCapCbor = 0x04;
constexpr std::uint8_t kCapNmsg = 0x08;  // no U2F (CTAPHID_MSG) over hybrid

// libfido2 opens devices by path; these paths name registered links.
std::mutex registry_mu;
std::map<std::string, std::weak_ptr<HybridLink>> registry;
std::atomic<unsigned> next_path{1};

struct Handle {
  std::shared_ptr<HybridLink> link;
  std::array<unsigned char, kInitNonceLen> nonce{};
  bool init_pending = false;
};

Handle* handle_of(fido_dev_t* dev) { return static_cast<Handle*>(fido_dev_io_handle(dev)); }

void* io_open(const char* path) {
  if (path == nullptr) return nullptr;
  std::lock_guard lock(registry_mu);
  auto it = registry.find(path);
  if (it == registry.end()) return nullptr;
  auto link = it->second.lock();
  if (!link) return nullptr;
  auto h = std::make_unique<Handle>();
  h->link = std::move(link);
  return h.release();  // libfido2 owns it until io_close
}

void io_close(void* handle) { std::unique_ptr<Handle> h(static_cast<Handle*>(handle)); }

// Never called: the transport functions replace report I/O.
int io_read(void*, unsigned char*, std::size_t, int) { return -1; }
int io_write(void*, const unsigned char*, std::size_t) { return -1; }

int tx(fido_dev_t* dev, std::uint8_t cmd, const unsigned char* buf, std::size_t count) {
  Handle* h = handle_of(dev);
  if (h == nullptr) return -1;
  switch (cmd) {
    case kCmdInit:
      if (count != kInitNonceLen || buf == nullptr) return -1;
      std::memcpy(h->nonce.data(), buf, kInitNonceLen);
      h->init_pending = true;
      return 0;
    case kCmdCbor:
      if (count == 0 || buf == nullptr) return -1;
      return h->link->begin(Bytes(buf, buf + count)) ? 0 : -1;
    case kCmdCancel:
      return 0;  // caBLE has no cancel; the phone's user answers or the request times out
    case kCmdMsg:
    default:
      return -1;
  }
}

int rx(fido_dev_t* dev, std::uint8_t cmd, unsigned char* buf, std::size_t count, int ms) {
  Handle* h = handle_of(dev);
  if (h == nullptr || buf == nullptr) return -1;
  if (cmd == kCmdInit) {
    if (!h->init_pending || count < kInitResponseLen) return -1;
    h->init_pending = false;
    std::array<unsigned char, kInitResponseLen> r{};
    std::memcpy(r.data(), h->nonce.data(), kInitNonceLen);
    r[8] = 0x00;  // channel 0x00000001: there is only one
    r[11] = 0x01;
    r[12] = kCtaphidProtocol;
    r[16] = kCapCbor | kCapNmsg;
    std::memcpy(buf, r.data(), r.size());
    return static_cast<int>(r.size());
  }
  if (cmd != kCmdCbor) return -1;
  auto result = h->link->finish(ms);
  if (!result || !*result) return -1;
  const Bytes& reply = **result;
  if (reply.size() > count) return -1;
  std::memcpy(buf, reply.data(), reply.size());
  return static_cast<int>(reply.size());
}

const fido_dev_transport_t kTransport = {rx, tx};
const fido_dev_io_t kIo = {io_open, io_close, io_read, io_write};

}  // namespace

HybridLink::HybridLink(asio::any_io_executor ex, std::shared_ptr<cable::DesktopChannel> channel)
    : ex_(std::move(ex)), channel_(std::move(channel)) {}

bool HybridLink::begin(Bytes request) {
  {
    std::lock_guard lock(mu_);
    if (outstanding_) return false;
    outstanding_ = true;
    result_.reset();
  }
  asio::co_spawn(
      ex_,
      [self = shared_from_this(), request = std::move(request)]() mutable {
        return self->channel_->transact(std::move(request), kRequestLimit);
      },
      [self = shared_from_this()](std::exception_ptr e, cable::CableResult<Bytes> r) {
        std::lock_guard lock(self->mu_);
        self->result_ = e ? cable::CableResult<Bytes>(cable::cable_fail(cable::CableError::kInternal)) : std::move(r);
        self->outstanding_ = false;
        self->cv_.notify_all();
      });
  return true;
}

std::optional<cable::CableResult<Bytes>> HybridLink::finish(int timeout_ms) {
  std::unique_lock lock(mu_);
  auto ready = [this] { return result_.has_value(); };
  if (timeout_ms < 0) {
    cv_.wait(lock, ready);
  } else if (!cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), ready)) {
    return std::nullopt;
  }
  auto r = std::move(result_);
  result_.reset();
  return r;
}

cable::CableResult<Bytes> HybridLink::transact(Bytes request, int timeout_ms) {
  if (!begin(std::move(request))) return cable::cable_fail(cable::CableError::kInternal);
  auto r = finish(timeout_ms);
  if (!r) return cable::cable_fail(cable::CableError::kTimeout);
  return std::move(*r);
}

void HybridLink::close() {
  std::promise<void> done;
  asio::co_spawn(
      ex_, [self = shared_from_this()]() { return self->channel_->shutdown(); },
      [&done](std::exception_ptr) { done.set_value(); });
  done.get_future().wait();
}

const fido_dev_transport_t& hybrid_transport() { return kTransport; }
const fido_dev_io_t& hybrid_io() { return kIo; }

FidoDev open_hybrid_device(std::shared_ptr<HybridLink> link, int* error, int timeout_ms) {
  const std::string path = "hybrid:" + std::to_string(next_path++);
  {
    std::lock_guard lock(registry_mu);
    registry[path] = link;
  }
  int r = FIDO_ERR_INTERNAL;
  FidoDev dev(fido_dev_new());
  if (dev) {
    r = fido_dev_set_io_functions(dev.get(), &kIo);
    if (r == FIDO_OK) r = fido_dev_set_transport_functions(dev.get(), &kTransport);
    if (r == FIDO_OK) r = fido_dev_set_timeout(dev.get(), timeout_ms);
    if (r == FIDO_OK) r = fido_dev_open(dev.get(), path.c_str());
  }
  {
    std::lock_guard lock(registry_mu);
    registry.erase(path);  // the open handle holds the link from here on
  }
  if (error != nullptr) *error = r;
  if (r != FIDO_OK) {
    if (dev) {
      fido_dev_t* raw = dev.release();
      fido_dev_free(&raw);
    }
    return nullptr;
  }
  return dev;
}

}  // namespace vfido::host
