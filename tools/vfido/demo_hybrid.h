// `vfido demo --transport hybrid`: the demo's libfido2 steps over caBLE v2 (hybrid-protocol.md
// §1). Kept apart from demo.cpp, which only adds the --transport switch and exposes its steps.
#pragma once

#include <fido.h>

#include <string>

#include <CLI/CLI.hpp>

namespace vfido::cli {

// demo.cpp: the demo's steps on an open device, any transport; true when every step passed.
bool run_demo_steps(fido_dev_t* dev);

struct HybridDemoOptions {
  std::string tunnel_server;  // a running tunnel server instead of one in this process
  std::string tunnel_ca;      // wss://: trust this PEM certificate file
  std::string advert;         // the advert channel (default: a free loopback port)
  bool external_phone = false;
  bool show_qr = true;
};

void add_hybrid_demo_options(CLI::App* cmd, HybridDemoOptions& o);
int run_hybrid_demo(bool verbose, const HybridDemoOptions& o);

}  // namespace vfido::cli
