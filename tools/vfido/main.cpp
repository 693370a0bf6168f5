// vfido: a virtual FIDO2 security key. Thin entry point: builds the command line and runs the
// chosen subcommand (see commands.h).
#include <CLI/CLI.hpp>

#include "tools/vfido/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"vfido: a virtual FIDO2 (CTAP 2) security key for Linux"};
  app.require_subcommand(1);
  int exit_code = 0;
  vfido::cli::add_serve(app, &exit_code);
  vfido::cli::add_demo(app, &exit_code);
  vfido::cli::add_profile(app, &exit_code);
  vfido::cli::add_metadata(app, &exit_code);
  vfido::cli::add_up(app, &exit_code);
  vfido::cli::add_down(app, &exit_code);
  vfido::cli::add_status(app, &exit_code);
  vfido::cli::add_probe(app, &exit_code);
  vfido::cli::add_ctl(app, &exit_code);
  vfido::cli::add_creds(app, &exit_code);
  vfido::cli::add_vault(app, &exit_code);
  vfido::cli::add_webauthn(app, &exit_code);
  vfido::cli::add_tunnel_server(app, &exit_code);
  vfido::cli::add_hybrid(app, &exit_code);
  vfido::cli::add_scenario(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every usage error exits 2, whatever CLI11's own code.
    return app.exit(e) == 0 ? 0 : 2;
  }
  return exit_code;
}
