// The store options (tools/host/store_options.h) as CLI11 flags, the same on every subcommand
// that takes them: `vfido serve`, `vfido creds ...`, `vfido vault create` (and `vfido up`).
#pragma once

#include <CLI/CLI.hpp>

#include "tools/host/store_options.h"

namespace vfido::cli {

enum class StoreFlag : unsigned {
  kStore = 1,          // --store NAME|PATH
  kKey = 2,            // --passphrase-file, --key-file
  kState = 4,          // --state NAME|PATH
};

// Adds the chosen flags to `cmd`, writing into `o` (which must outlive the parse). With
// `store_required`, --store must be given.
void add_store_flags(CLI::App* cmd, host::StoreOptions& o, unsigned flags, bool store_required);

inline constexpr unsigned kAllStoreFlags = 1 | 2 | 4;

}  // namespace vfido::cli
