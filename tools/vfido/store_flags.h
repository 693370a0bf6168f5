// The store options (tools/host/store_options.h) as CLI11 flags, the same on every subcommand
// that takes them: `vfido serve`, `vfido creds ...`, `vfido vault create` (and `vfido up`).
#pragma once

#include <CLI/CLI.hpp>

#include <optional>

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

// For the commands that run a key (serve, up): opens what the flags name into `out` (left empty
// without --store: the key keeps its credentials in memory) and prints "vfido: store: ..." on
// stdout. Returns 0, or the exit status after printing "<who>: <why>" on stderr: 1 when the
// store cannot be opened, 2 when key flags come without --store.
int open_storage_for_key(const host::StoreOptions& o, const char* who, std::optional<host::KeyStorage>& out);

}  // namespace vfido::cli
