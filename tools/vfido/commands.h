// The `vfido` subcommands. main.cpp only builds the CLI11 app and dispatches; each subcommand
// lives in its own file and registers itself here (style.md §20: thin main, one file per action).
#pragma once

#include <CLI/CLI.hpp>

namespace vfido::cli {

// Each add_* registers one subcommand on `app`; when it runs, its exit status lands in
// *exit_code (0 = success).
void add_serve(CLI::App& app, int* exit_code);  // serve.cpp
void add_demo(CLI::App& app, int* exit_code);   // demo.cpp
void add_creds(CLI::App& app, int* exit_code);  // creds.cpp
void add_vault(CLI::App& app, int* exit_code);  // vault.cpp
// `creds export` and `creds import` on the `creds` subcommand (creds_export.cpp).
void add_creds_transfer(CLI::App* creds, int* exit_code);

}  // namespace vfido::cli
