#include "tools/vfido/store_flags.h"

#include <iostream>

namespace vfido::cli {

void add_store_flags(CLI::App* cmd, host::StoreOptions& o, unsigned flags, bool store_required) {
  if ((flags & static_cast<unsigned>(StoreFlag::kStore)) != 0) {
    auto* opt = cmd->add_option("--store", o.store,
                                "Credential store: a NAME in " + host::default_store_dir() +
                                    " (NAME.db), or a PATH; a device store or a synced vault");
    if (store_required) opt->required();
  }
  if ((flags & static_cast<unsigned>(StoreFlag::kKey)) != 0) {
    auto* pass = cmd->add_option("--passphrase-file", o.passphrase_file,
                                 "The store's passphrase is the first line of this file");
    auto* key = cmd->add_option("--key-file", o.key_file,
                                "The store's key: 32 bytes, raw or 64 hex digits (made, mode 0600, with a new store)");
    pass->excludes(key);
  }
  if ((flags & static_cast<unsigned>(StoreFlag::kState)) != 0) {
    cmd->add_option("--state", o.state,
                    "For a key on a vault: a device store (NAME or PATH) that keeps this key's own state");
  }
}

int open_storage_for_key(const host::StoreOptions& o, const char* who, std::optional<host::KeyStorage>& out) {
  if (o.store.empty()) {
    if (!o.state.empty() || !o.passphrase_file.empty() || !o.key_file.empty()) {
      std::cerr << who << ": --state, --passphrase-file and --key-file need --store\n";
      return 2;
    }
    return 0;
  }
  auto opened = host::open_key_storage(o);
  if (!opened) {
    std::cerr << who << ": " << opened.error() << '\n';
    return 1;
  }
  out = std::move(*opened);
  std::cout << "vfido: store: " << out->description << '\n';
  return 0;
}

}  // namespace vfido::cli
