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
  vfido::cli::add_creds(app, &exit_code);
  vfido::cli::add_vault(app, &exit_code);
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
