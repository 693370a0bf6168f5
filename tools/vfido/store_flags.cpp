#include "tools/vfido/store_flags.h"

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

}  // namespace vfido::cli
