// vfido_bench_hybrid: the hybrid tunnel server at scale, and hybrid's latency on loopback.
//
// 1. Idle tunnels on one core. The tunnel server runs in a child process pinned to one CPU, on
//    one io_context thread. The parent opens N tunnels as phones do (/cable/new), then joins
//    them as desktops do (/cable/connect), at most 64 upgrades in flight, and asks the child for
//    its VmRSS (/proc/self/status) at each stage: memory per tunnel = growth / tunnels. Every
//    tunnel end is a socket in both processes, so the file-descriptor limit caps how many
//    tunnels can be joined (printed when it does).
// 2. Advert to first getAssertion answer. A phone (a VirtualKey's authenticator holding one
//    discoverable credential) and a desktop in the parent, the child's tunnel server, adverts
//    over the loopback UDP channel: the time from the phone's first advert until the desktop
//    holds the getAssertion response — trial decryption, tunnel join, Noise handshake,
//    post-handshake message, one CTAP round trip. Median and range over R runs.
//
// Not a test: it prints numbers and exits 0 (1 when something fails). Quick by default, on a
// shared 2-core machine; --tunnels 10000 is the aim.
//   vfido_bench_hybrid [--tunnels N] [--runs R]
#include <sched.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "authenticator/cbor/codec.h"
#include "authenticator/env/log.h"
#include "authenticator/env/rng.h"
#include "tools/host/virtual_key.h"
#include "transports/hybrid/desktop_session.h"
#include "transports/hybrid/phone_session.h"
#include "transports/hybrid/tunnel_protocol.h"
#include "transports/hybrid/tunnel_server.h"
#include "transports/hybrid/udp_advert_channel.h"
#include "transports/hybrid/websocket_pipe.h"

namespace {

namespace asio = boost::asio;
using namespace vfido;
using namespace std::chrono_literals;
using SteadyTime = std::chrono::steady_clock;

constexpr std::size_t kInFlight = 64;

long vm_rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

// Room for `tunnels` joined tunnels (two sockets each, in both processes): the soft limit up to
// the hard one, and beyond it when the process may (root, CAP_SYS_RESOURCE).
void raise_fd_limit(std::size_t tunnels) {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) != 0) return;
  const rlim_t wanted = static_cast<rlim_t>(2 * tunnels + 1024);
  if (wanted > r.rlim_max) {
    const rlimit more{wanted, wanted};
    if (setrlimit(RLIMIT_NOFILE, &more) == 0) return;
  }
  if (r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_NOFILE, &r);
  }
}

std::size_t fd_limit() {
  rlimit r{};
  getrlimit(RLIMIT_NOFILE, &r);
  return static_cast<std::size_t>(r.rlim_cur);
}

// ---- the child: a tunnel server on one core, answering "rss" on its control socket --------

// Pins this process to the first CPU it may run on. (The CPU_* macros convert between int and
// size_t; their warnings are not ours.)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-conversion"
void pin_to_one_cpu() {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) return;
  for (int c = 0; c < CPU_SETSIZE; ++c) {
    if (CPU_ISSET(c, &allowed)) {
      cpu_set_t one;
      CPU_ZERO(&one);
      CPU_SET(c, &one);
      sched_setaffinity(0, sizeof(one), &one);
      return;
    }
  }
}
#pragma GCC diagnostic pop

[[noreturn]] void run_server_child(int control, std::size_t tunnels) {
  pin_to_one_cpu();
  raise_fd_limit(tunnels);
  asio::io_context io(1);
  NullLog log;
  cable::TunnelServerOptions o;
  o.max_tunnels = tunnels + 64;
  o.max_connections = 2 * tunnels + 256;
  o.pairing_timeout = 1h;
  o.idle_timeout = 1h;
  cable::TunnelServer server(io.get_executor(), o, log);
  server.start();
  asio::posix::stream_descriptor ctl(io, control);
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        const std::string hello = "port " + std::to_string(server.port()) + "\n";
        co_await asio::async_write(ctl, asio::buffer(hello), asio::use_awaitable);
        asio::streambuf buf;
        for (;;) {
          boost::system::error_code ec;
          co_await asio::async_read_until(ctl, buf, '\n', asio::redirect_error(asio::use_awaitable, ec));
          if (ec) break;
          std::string cmd;
          std::istream is(&buf);
          std::getline(is, cmd);
          if (cmd != "rss") break;
          const auto s = server.stats();
          const std::string reply = std::to_string(vm_rss_kib()) + " " + std::to_string(s.tunnels) + " " +
                                    std::to_string(s.joined) + " " + std::to_string(s.connections) + "\n";
          co_await asio::async_write(ctl, asio::buffer(reply), asio::use_awaitable);
        }
        server.shutdown([&] { io.stop(); });
      },
      asio::detached);
  io.run();
  std::_Exit(0);
}

// ---- the parent ------------------------------------------------------------------------------

struct Child {
  pid_t pid = -1;
  int fd = -1;
  std::uint16_t port = 0;

  std::string line() {
    std::string out;
    char c = 0;
    while (::read(fd, &c, 1) == 1 && c != '\n') out.push_back(c);
    return out;
  }
  // VmRSS in KiB, tunnels, joined, connections.
  std::vector<long> rss() {
    ::write(fd, "rss\n", 4);
    std::vector<long> v;
    const std::string l = line();
    const char* p = l.c_str();
    char* end = nullptr;
    for (int i = 0; i < 4; ++i) {
      v.push_back(std::strtol(p, &end, 10));
      p = end;
    }
    return v;
  }
  void stop() {
    if (pid <= 0) return;
    ::write(fd, "quit\n", 5);
    ::close(fd);
    int status = 0;
    ::waitpid(pid, &status, 0);
    pid = -1;
  }
};

// Opens `targets` as WebSocket tunnels, kInFlight at a time.
std::vector<cable::WebSocketConnection> open_all(asio::io_context& io, const cable::TunnelUrl& url,
                                                 const std::vector<std::string>& targets, Log& log, std::size_t* failed) {
  std::vector<cable::WebSocketConnection> out(targets.size());
  const cable::WebSocketConnectOptions defaults;  // named: GCC 12 mishandles braced coroutine arguments
  std::size_t next = 0;
  std::size_t done = 0;
  *failed = 0;
  std::function<void()> launch = [&] {
    if (next >= targets.size()) return;
    const std::size_t i = next++;
    asio::co_spawn(io, cable::connect_websocket(io.get_executor(), url, targets[i], defaults, log),
                   [&, i](std::exception_ptr, cable::CableResult<cable::WebSocketConnection> r) {
                     if (r) {
                       out[i] = std::move(*r);
                     } else {
                       ++*failed;
                     }
                     ++done;
                     launch();
                   });
  };
  for (std::size_t k = 0; k < kInFlight; ++k) launch();
  while (done < targets.size()) io.run_one();
  return out;
}

double ms_since(SteadyTime::time_point t) { return std::chrono::duration<double, std::milli>(SteadyTime::now() - t).count(); }

// An advert channel that notes when the first advert goes out.
class TimedAdverts final : public cable::AdvertChannel {
 public:
  explicit TimedAdverts(std::shared_ptr<cable::UdpAdvertChannel> inner) : inner_(std::move(inner)) {}
  void start_advertising(Bytes d) override {
    if (!started) started = SteadyTime::now();
    inner_->start_advertising(std::move(d));
  }
  void stop_advertising() override { inner_->stop_advertising(); }
  void start_scanning(Handler h) override { inner_->start_scanning(std::move(h)); }
  void stop_scanning() override { inner_->stop_scanning(); }
  std::optional<SteadyTime::time_point> started;

 private:
  std::shared_ptr<cable::UdpAdvertChannel> inner_;
};

std::uint16_t free_udp_port() {
  asio::io_context io;
  asio::ip::udp::socket s(io, asio::ip::udp::endpoint(asio::ip::address_v4::loopback(), 0));
  return s.local_endpoint().port();
}

// One QR session: advert -> getAssertion answer, in milliseconds (nullopt on failure).
std::optional<double> advert_to_assertion(const cable::TunnelUrl& url, std::uint16_t advert_port) {
  asio::io_context io;
  NullLog log;
  host::KeyOptions ko;
  ko.log = &log;
  host::VirtualKey key(io, ko);
  key.start();
  OpenSslRng rng;
  // One discoverable credential to sign with.
  cbor::Value mc = cbor::Value::map();
  mc.set(1, cbor::Value::bytes(Bytes(32, 1)));
  cbor::Value rp = cbor::Value::map();
  rp.set("id", cbor::Value::text("bench.vfido.dev"));
  mc.set(2, std::move(rp));
  cbor::Value user = cbor::Value::map();
  user.set("id", cbor::Value::bytes(Bytes{1}));
  mc.set(3, std::move(user));
  cbor::Value alg = cbor::Value::map();
  alg.set("alg", cbor::Value::integer(-7));
  alg.set("type", cbor::Value::text("public-key"));
  mc.set(4, cbor::Value::array({alg}));
  cbor::Value opts = cbor::Value::map();
  opts.set("rk", cbor::Value::boolean(true));
  mc.set(7, std::move(opts));
  Bytes mc_msg{0x01};
  auto mc_body = cbor::encode(mc);
  mc_msg.insert(mc_msg.end(), mc_body->begin(), mc_body->end());
  auto made = key.authenticator().handle(mc_msg, [](Bytes) {});
  if (!made || made->empty() || (*made)[0] != 0) return std::nullopt;
  cbor::Value ga = cbor::Value::map();
  ga.set(1, cbor::Value::text("bench.vfido.dev"));
  ga.set(2, cbor::Value::bytes(Bytes(32, 2)));
  Bytes ga_msg{0x02};
  auto ga_body = cbor::encode(ga);
  ga_msg.insert(ga_msg.end(), ga_body->begin(), ga_body->end());

  cable::UdpAdvertOptions ao;
  ao.port = advert_port;
  auto phone_udp = std::make_shared<cable::UdpAdvertChannel>(io.get_executor(), ao, log);
  auto desktop_udp = std::make_shared<cable::UdpAdvertChannel>(io.get_executor(), ao, log);
  TimedAdverts phone_adverts(phone_udp);
  cable::PhoneOptions po;
  po.tunnel = url;
  cable::PhoneContext ctx{io.get_executor(), key.authenticator(), phone_adverts, rng, log, po};
  auto qr = cable::DesktopQr::generate(rng, cable::RequestType::kGetAssertion, 0, false);
  cable::DesktopOptions dopt;
  dopt.tunnel_override = url;
  dopt.advert_timeout = 10s;
  std::optional<double> result;
  bool phone_done = false;
  bool desktop_done = false;
  asio::co_spawn(io, cable::run_phone_qr(ctx, qr->contents),
                 [&](std::exception_ptr, cable::CableResult<cable::PhoneSummary>) { phone_done = true; });
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        auto c = co_await cable::connect_qr(io.get_executor(), *qr, *desktop_udp, dopt, rng, log);
        if (c) {
          auto r = co_await c->channel->transact(ga_msg, 10s);
          if (r && !r->empty() && (*r)[0] == 0 && phone_adverts.started) {
            result = std::chrono::duration<double, std::milli>(SteadyTime::now() - *phone_adverts.started).count();
          }
          co_await c->channel->shutdown();
        }
        desktop_done = true;
      },
      asio::detached);
  const auto limit = SteadyTime::now() + 30s;
  while (!(phone_done && desktop_done) && SteadyTime::now() < limit) io.run_one_for(50ms);
  key.shutdown();
  return result;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t tunnels = 2000;
  std::size_t runs = 5;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if ((a == "--tunnels" || a == "--runs") && i + 1 < argc) {
      const std::size_t v = std::strtoul(argv[++i], nullptr, 10);
      (a == "--tunnels" ? tunnels : runs) = v;
    } else {
      std::printf("usage: vfido_bench_hybrid [--tunnels N] [--runs R]\n");
      return a == "--help" ? 0 : 2;
    }
  }
  raise_fd_limit(tunnels);
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return 1;
  Child child;
  child.pid = ::fork();
  if (child.pid == 0) {
    ::close(sv[0]);
    run_server_child(sv[1], tunnels);
  }
  ::close(sv[1]);
  child.fd = sv[0];
  const std::string hello = child.line();
  if (hello.rfind("port ", 0) != 0) {
    std::fprintf(stderr, "vfido_bench_hybrid: the server child did not start\n");
    return 1;
  }
  child.port = static_cast<std::uint16_t>(std::strtoul(hello.c_str() + 5, nullptr, 10));
  const cable::TunnelUrl url{false, "127.0.0.1", child.port};

  // Each end is a socket in both processes; leave room for the rest.
  const std::size_t limit = fd_limit();
  const std::size_t room = limit > 128 ? limit - 128 : 0;
  const std::size_t pending_n = std::min(tunnels, room);
  const std::size_t joined_n = std::min(pending_n, room - pending_n);
  std::printf("vfido_bench_hybrid: tunnel server in a child process pinned to one CPU (one io_context thread)\n");
  std::printf("  file descriptors per process: %zu\n", limit);

  asio::io_context io;
  NullLog log;
  OpenSslRng rng;
  const auto base = child.rss();
  std::vector<std::string> news;
  std::vector<cable::TunnelId> ids(pending_n);
  for (auto& id : ids) {
    rng.fill(id);
    news.push_back(cable::new_tunnel_path(id));
  }
  auto t0 = SteadyTime::now();
  std::size_t failed = 0;
  auto phones = open_all(io, url, news, log, &failed);
  const double open_ms = ms_since(t0);
  const auto after_new = child.rss();
  std::printf("  %-44s %8zu (%zu failed) in %.0f ms, %.0f per s\n", "tunnels opened by phones (/cable/new):",
              pending_n - failed, failed, open_ms, static_cast<double>(pending_n) / (open_ms / 1000.0));
  const double per_pending = static_cast<double>(after_new[0] - base[0]) / static_cast<double>(std::max<long>(1, after_new[1]));
  std::printf("  %-44s %8.1f KiB (server RSS %ld -> %ld KiB)\n", "memory per waiting tunnel (1 socket):", per_pending,
              base[0], after_new[0]);

  std::vector<std::string> joins;
  for (std::size_t i = 0; i < joined_n; ++i) {
    auto it = phones[i].headers.find("x-cable-routing-id");
    if (!phones[i].pipe || it == phones[i].headers.end()) continue;
    auto routing = cable::parse_hex_any_case(it->second);
    cable::RoutingId r{};
    std::copy(routing->begin(), routing->end(), r.begin());
    joins.push_back(cable::connect_path(r, ids[i]));
  }
  t0 = SteadyTime::now();
  auto desktops = open_all(io, url, joins, log, &failed);
  const double join_ms = ms_since(t0);
  // Let the server settle (the last upgrades' handlers) before measuring.
  const auto settle = SteadyTime::now() + 200ms;
  while (SteadyTime::now() < settle) io.run_one_for(10ms);
  const auto after_join = child.rss();
  std::printf("  %-44s %8zu (%zu failed) in %.0f ms\n", "tunnels joined by desktops (/cable/connect):",
              joins.size() - failed, failed, join_ms);
  if (joined_n < tunnels) {
    std::printf("  (joined tunnels capped at %zu by the file-descriptor limit of %zu)\n", joined_n, limit);
  }
  const long joined = after_join[2];
  // A joined tunnel is a waiting one plus its second socket.
  const double per_joined =
      joined > 0 ? per_pending + static_cast<double>(after_join[0] - after_new[0]) / static_cast<double>(joined) : 0.0;
  std::printf("  %-44s %8ld idle, %ld connections, server RSS %ld KiB\n", "server holds:", joined, after_join[3],
              after_join[0]);
  std::printf("  %-44s %8.1f KiB (aim: 10000 tunnels on one core)\n", "memory per joined idle tunnel (2 sockets):",
              per_joined);
  for (auto& c : desktops) {
    if (c.pipe) c.pipe->abort();
  }
  for (auto& c : phones) {
    if (c.pipe) c.pipe->abort();
  }
  desktops.clear();
  phones.clear();
  const auto drain = SteadyTime::now() + 500ms;
  while (SteadyTime::now() < drain) io.run_one_for(10ms);

  // 2. Latency.
  std::vector<double> latencies;
  const std::uint16_t advert_port = free_udp_port();
  for (std::size_t i = 0; i < runs; ++i) {
    if (auto ms = advert_to_assertion(url, advert_port)) latencies.push_back(*ms);
  }
  child.stop();
  if (latencies.empty()) {
    std::fprintf(stderr, "vfido_bench_hybrid: no hybrid session completed\n");
    return 1;
  }
  std::printf("  %-44s %8.2f ms median, %.2f..%.2f ms (%zu of %zu runs)\n", "advert -> first getAssertion answer:",
              median(latencies), *std::min_element(latencies.begin(), latencies.end()),
              *std::max_element(latencies.begin(), latencies.end()), latencies.size(), runs);
  return failed == 0 ? 0 : 1;
}
