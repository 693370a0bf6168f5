// A daemon for control-API tests (style.md §15): the real Daemon (keys, broker, control socket)
// on its own io_context thread, without uhid, its sockets in a fresh temporary directory; a
// client that talks to it over the real socket; and helpers to run code on the daemon's thread.
#pragma once

#include <doctest/doctest.h>

#include <future>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "tests/support/temp_dir.h"
#include "tools/host/control_client.h"
#include "tools/host/daemon.h"

namespace vfido::test {

using nlohmann::json;

struct ApiDaemon {
  // A daemon whose first key "k1" listens on <dir>/k1.sock; `adjust` may change its spec.
  explicit ApiDaemon(host::KeySpec spec = {}, bool with_key = true) {
    host::DaemonOptions o;
    o.info.instance = "test";
    o.info.control_path = dir.file("control.sock");
    o.info.socket_dir = dir.path();
    o.registry.log = &log;
    auto d = host::Daemon::create(io, std::move(o), log);
    REQUIRE_MESSAGE(d.has_value(), d.error());
    daemon = std::move(*d);
    if (with_key) {
      spec.unix_paths = {dir.file("k1.sock")};
      auto k = daemon->keys().add(std::move(spec));
      REQUIRE_MESSAGE(k.has_value(), k.error());
    }
    daemon->start();
    thread = std::thread([this] { io.run(); });
  }
  ~ApiDaemon() { stop(); }
  ApiDaemon(const ApiDaemon&) = delete;
  ApiDaemon& operator=(const ApiDaemon&) = delete;

  void stop() {
    if (!thread.joinable()) return;
    boost::asio::post(io, [this] { daemon->shutdown(); });
    thread.join();
  }

  // Runs f() on the daemon's thread (the core is single-threaded) and returns its result.
  template <typename F>
  auto on_daemon(F f) -> decltype(f()) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    boost::asio::post(io, [&task] { task(); });
    return result.get();
  }

  host::ControlClient client() {
    auto c = host::ControlClient::connect(dir.file("control.sock"));
    REQUIRE_MESSAGE(c.has_value(), c.error());
    return std::move(*c);
  }

  // One call on a fresh connection: the whole response object.
  json call(const std::string& method, const json& params = json::object()) {
    auto c = client();
    auto r = c.call(method, params, 5000);
    REQUIRE_MESSAGE(r.has_value(), r.error());
    return *r;
  }
  // A call that must succeed: its result.
  json result(const std::string& method, const json& params = json::object()) {
    json r = call(method, params);
    INFO(method << " " << params.dump() << " -> " << r.dump());
    REQUIRE(r.contains("result"));
    return r["result"];
  }
  // A call that must fail: its error {code, message}.
  json error(const std::string& method, const json& params = json::object()) {
    json r = call(method, params);
    INFO(method << " " << params.dump() << " -> " << r.dump());
    REQUIRE(r.contains("error"));
    return r["error"];
  }

  TempDir dir;  // first: outlives the sockets in it
  host::StderrLog log{false};
  boost::asio::io_context io;
  std::unique_ptr<host::Daemon> daemon;
  std::thread thread;
};

}  // namespace vfido::test
